/** Session servlet filter. */
package io.redkit.web.session;
