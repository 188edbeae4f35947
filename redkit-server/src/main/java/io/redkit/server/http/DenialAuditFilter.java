package io.redkit.server.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a line to the audit logger for every request the rate-limit filter (placed after this one)
 * refused with 429 before any handler ran: the policy, from the {@code RateLimit} header, and the
 * client address. (Denials decided inside handlers, such as failed-login limits, are audited there.)
 * The line is written before the response's body, so a client that has the 429 can rely on the
 * audit line being there: the rate-limit filter completes the response as it writes the body, so
 * a line written after the chain returned could come after the client had its answer.
 */
public final class DenialAuditFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger AUDIT = LoggerFactory.getLogger("io.redkit.server.audit");
    private static final Pattern POLICY = Pattern.compile("^\"([^\"]+)\"");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        Auditing audited = new Auditing(req, resp);
        chain.doFilter(req, audited);
        audited.auditIfDenied(); // a 429 without a body
    }

    /** The response, auditing a 429 decided before any handler at the first moment it could be sent. */
    private static final class Auditing extends HttpServletResponseWrapper {
        private final HttpServletRequest request;
        private boolean audited;

        Auditing(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        void auditIfDenied() {
            if (audited || getStatus() != 429 || request.getAttribute(Router.ROUTE_ATTRIBUTE) != null) {
                return;
            }
            audited = true;
            String header = getHeader("RateLimit");
            Matcher m = POLICY.matcher(header == null ? "" : header);
            AUDIT.info("rate-limited policy={} ip={} path={}", m.find() ? m.group(1) : "?", request.getRemoteAddr(),
                    request.getRequestURI());
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            auditIfDenied();
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            auditIfDenied();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            auditIfDenied();
            super.flushBuffer();
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            setStatus(sc);
            auditIfDenied();
            super.sendError(sc, msg);
        }

        @Override
        public void sendError(int sc) throws IOException {
            setStatus(sc);
            auditIfDenied();
            super.sendError(sc);
        }
    }
}
