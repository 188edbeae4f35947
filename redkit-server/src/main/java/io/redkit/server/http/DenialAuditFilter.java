package io.redkit.server.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a line to the audit logger for every request the rate-limit filter (placed after this one)
 * refused with 429 before any handler ran: the policy, from the {@code RateLimit} header, and the
 * client address. (Denials decided inside handlers, such as failed-login limits, are audited there.)
 */
public final class DenialAuditFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger AUDIT = LoggerFactory.getLogger("io.redkit.server.audit");
    private static final Pattern POLICY = Pattern.compile("^\"([^\"]+)\"");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(req, resp);
        if (resp.getStatus() == 429 && req.getAttribute(Router.ROUTE_ATTRIBUTE) == null) {
            String header = resp.getHeader("RateLimit");
            Matcher m = POLICY.matcher(header == null ? "" : header);
            AUDIT.info("rate-limited policy={} ip={} path={}", m.find() ? m.group(1) : "?", req.getRemoteAddr(), req.getRequestURI());
        }
    }
}
