package io.redkit.server.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} when well-formed, else a new one),
 * puts it in the logging MDC as {@code requestId}, echoes it in the response and logs one access
 * line per request.
 */
public final class RequestIdFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    /** The header carrying the request id. */
    public static final String HEADER = "X-Request-Id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{8,64}");
    private static final Logger ACCESS = LoggerFactory.getLogger("io.redkit.server.access");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        String id = req.getHeader(HEADER);
        if (id == null || !SAFE.matcher(id).matches()) {
            id = UUID.randomUUID().toString();
        }
        long t0 = System.nanoTime();
        MDC.put("requestId", id);
        resp.setHeader(HEADER, id);
        try {
            chain.doFilter(req, resp);
        } finally {
            ACCESS.info("{} {} {} {}ms", req.getMethod(), req.getRequestURI(), resp.getStatus(),
                    (System.nanoTime() - t0) / 1_000_000);
            MDC.remove("requestId");
        }
    }
}
