/**
 * A Jakarta Servlet filter for Redkit sessions: {@link io.redkit.web.session.SessionFilter} loads
 * the session from a cookie when a handler first asks for it and saves the changes at the end of
 * the request; {@link io.redkit.web.session.Sessions} is the typed accessor for handlers.
 */
package io.redkit.web.session;
