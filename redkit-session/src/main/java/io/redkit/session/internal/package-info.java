/**
 * Implementation of {@link io.redkit.session}: not API, may change in any release.
 */
package io.redkit.session.internal;
