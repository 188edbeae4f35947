package io.redkit.server.http;

import io.redkit.core.RedisUnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small router: {@code METHOD /path/{param}} → handler. Unknown paths get 404, known paths with
 * another method 405, {@link ApiException} its status, anything else 500 — all as JSON errors,
 * never a stack trace.
 */
public final class Router extends HttpServlet {
    /** Request attribute holding the matched route's pattern (e.g. {@code /api/products/{id}}), for metrics. */
    public static final String ROUTE_ATTRIBUTE = "io.redkit.server.route";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** Handles one matched request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    private static final class Route {
        final String method;
        final String pattern;
        final String[] parts;
        final Handler handler;

        Route(String method, String pattern, Handler handler) {
            this.pattern = pattern;
            this.method = method;
            this.parts = split(pattern);
            this.handler = handler;
        }

        Map<String, String> match(String[] path) {
            if (path.length != parts.length) return null;
            Map<String, String> params = new HashMap<>();
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    String value = decode(path[i]);
                    if (value == null) return null;
                    params.put(parts[i].substring(1, parts[i].length() - 1), value);
                } else if (!parts[i].equals(path[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public Router get(String pattern, Handler h) {
        return add("GET", pattern, h);
    }

    public Router post(String pattern, Handler h) {
        return add("POST", pattern, h);
    }

    public Router put(String pattern, Handler h) {
        return add("PUT", pattern, h);
    }

    public Router delete(String pattern, Handler h) {
        return add("DELETE", pattern, h);
    }

    public Router add(String method, String pattern, Handler h) {
        routes.add(new Route(method, pattern, h));
        return this;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
        String uri = req.getRequestURI();
        String[] path = split(uri);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> params = r.match(path);
            if (params == null) continue;
            String method = req.getMethod().equals("HEAD") ? "GET" : req.getMethod();
            if (!r.method.equals(method)) {
                allowed.add(r.method);
                continue;
            }
            req.setAttribute(ROUTE_ATTRIBUTE, r.pattern);
            Exchange ex = new Exchange(req, resp, params);
            try {
                r.handler.handle(ex);
            } catch (ApiException e) {
                if (!resp.isCommitted()) ex.error(e.status(), e.code(), e.getMessage());
            } catch (RedisUnavailableException e) {
                LOG.warn("{} {}: {}", req.getMethod(), uri, e.getMessage());
                if (!resp.isCommitted()) {
                    resp.reset();
                    ex.error(503, "unavailable", "Redis (" + e.namespace().id() + ") is unavailable; try again shortly");
                }
            } catch (Exception e) {
                LOG.error("{} {} failed", req.getMethod(), uri, e);
                if (!resp.isCommitted()) {
                    resp.reset();
                    ex.error(500, "internal_error", "the server failed to answer; the log has the details (request id "
                            + resp.getHeader(RequestIdFilter.HEADER) + ")");
                }
            }
            return;
        }
        Exchange ex = new Exchange(req, resp, Map.of());
        if (!allowed.isEmpty()) {
            resp.setHeader("Allow", String.join(", ", allowed));
            ex.error(405, "method_not_allowed", req.getMethod() + " is not allowed on " + uri + "; allowed: " + String.join(", ", allowed));
        } else {
            ex.error(404, "not_found", "no route for " + req.getMethod() + " " + uri);
        }
    }

    /** A percent-decoded path segment ({@code %2F} stays inside the parameter), or null when malformed. */
    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) return segment;
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String[] split(String path) {
        String p = path;
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/");
    }
}
