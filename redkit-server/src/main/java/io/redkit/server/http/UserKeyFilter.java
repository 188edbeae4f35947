package io.redkit.server.http;

import io.redkit.core.RedisUnavailableException;
import io.redkit.web.session.Sessions;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Puts the logged-in user's id in request attribute {@link #ATTRIBUTE} ({@code user:<id>}) so the
 * {@code api} rate limit counts per user when logged in and per client IP otherwise. A request
 * whose session cannot be read (Redis down) goes on as anonymous: reads that need no session keep
 * working.
 */
public final class UserKeyFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    /** The request attribute holding the rate-limit key of the logged-in user. */
    public static final String ATTRIBUTE = "redkit.rateLimitUser";

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        if (req.getRequestURI().startsWith("/api/")) {
            try {
                Sessions.current(req).flatMap(s -> s.userId()).ifPresent(id -> req.setAttribute(ATTRIBUTE, "user:" + id));
            } catch (RedisUnavailableException e) {
                // anonymous: the handler decides whether it needs the session (503) or not
            }
        }
        chain.doFilter(req, resp);
    }
}
