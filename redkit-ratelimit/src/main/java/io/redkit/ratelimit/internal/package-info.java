/** Implementation of {@code io.redkit.ratelimit}; not API, may change without notice. */
package io.redkit.ratelimit.internal;
