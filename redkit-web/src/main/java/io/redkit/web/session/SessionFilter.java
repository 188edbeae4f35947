package io.redkit.web.session;

import io.redkit.core.Namespace;
import io.redkit.core.RedisUnavailableException;
import io.redkit.core.internal.Checks;
import io.redkit.session.SessionStore;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A Jakarta Servlet filter that gives each request its Redkit session.
 *
 * <pre>{@code
 * SessionStore store = SessionStore.create(redkit);
 * servletContext.addFilter("sessions", new SessionFilter(store, SessionFilterOptions.defaults()))
 *         .addMappingForUrlPatterns(null, false, "/*");
 * // in a handler:
 * Session s = Sessions.getOrCreate(request);     // or request.getSession()
 * Sessions.login(request, userId);               // new id, cookie re-sent
 * }</pre>
 *
 * <ul>
 * <li>The session is loaded from the cookie only when a handler first asks for it, so requests
 *     that never use it cost no Redis call.</li>
 * <li>A new session is saved, and its cookie sent, only when something was stored in it: anonymous
 *     requests that store nothing get no cookie and cause no Redis write.</li>
 * <li>Changes are saved as a delta before the response body starts and at the end of the request.</li>
 * <li>A malformed, tampered, expired or revoked cookie is simply no session (the cookie is cleared).
 *     A cookie whose id a login or privilege change replaced moments ago ({@link
 *     io.redkit.session.SessionLookup#replaced()}) is no session either, but it is not cleared and
 *     no new session is kept for it, so a request that was in flight during the login cannot make
 *     the browser drop its new cookie.</li>
 * <li>When Redis is unreachable, a request that needs its session gets {@code 503} with a JSON
 *     error within about the command timeout; requests that do not use the session are unaffected.</li>
 * </ul>
 *
 * <p>Asynchronous requests ({@code startAsync}) are saved when the filter chain returns, not when
 * the async work completes. Thread-safe; one instance serves every request.
 */
public final class SessionFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(SessionFilter.class);
    private static final byte[] UNAVAILABLE_BODY = ("{\"error\":\"session_store_unavailable\","
            + "\"message\":\"The session store is unavailable. Please retry in a moment.\"}").getBytes(StandardCharsets.UTF_8);

    private final SessionStore store;
    private final SessionFilterOptions options;

    /** A filter over {@code store} with {@code options}. */
    public SessionFilter(SessionStore store, SessionFilterOptions options) {
        this.store = Checks.notNull(store, "store");
        this.options = Checks.notNull(options, "options");
    }

    /** A filter with {@link SessionFilterOptions#defaults()}. */
    public SessionFilter(SessionStore store) {
        this(store, SessionFilterOptions.defaults());
    }

    public SessionFilterOptions options() {
        return options;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)
                || req.getAttribute(RequestSession.ATTRIBUTE) != null) {
            chain.doFilter(req, res); // not HTTP, or already handled (forward, include, error dispatch)
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        RequestSession ctx = new RequestSession(store, options, request, response);
        request.setAttribute(RequestSession.ATTRIBUTE, ctx);
        try {
            chain.doFilter(new SessionRequestWrapper(request, ctx), new SessionResponseWrapper(response, ctx));
            ctx.commit();
        } catch (IOException | ServletException | RuntimeException e) {
            RedisUnavailableException unavailable = sessionUnavailable(e);
            if (unavailable == null) {
                throw e;
            }
            if (response.isCommitted()) {
                log.warn("session store unavailable after the response was committed; the session changes are lost: {}",
                        unavailable.getMessage());
                return;
            }
            log.warn("session store unavailable, answering 503: {}", unavailable.getMessage());
            response.reset();
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Retry-After", "1");
            response.setHeader("Cache-Control", "no-store");
            response.setContentLength(UNAVAILABLE_BODY.length);
            response.getOutputStream().write(UNAVAILABLE_BODY);
        } finally {
            request.removeAttribute(RequestSession.ATTRIBUTE);
        }
    }

    private static RedisUnavailableException sessionUnavailable(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof RedisUnavailableException && ((RedisUnavailableException) t).namespace() == Namespace.SESSION) {
                return (RedisUnavailableException) t;
            }
            if (t instanceof ServletException && ((ServletException) t).getRootCause() != null
                    && ((ServletException) t).getRootCause() != t.getCause()) {
                RedisUnavailableException inner = sessionUnavailable(((ServletException) t).getRootCause());
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }
}
