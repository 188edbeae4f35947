package io.redkit.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Times every request into {@code http.server.requests{method,uri,status,outcome}}, where {@code uri}
 * is the matched route pattern ({@code /api/products/{id}}, never the raw path, so ids do not
 * explode the number of series), and {@code UNMATCHED} for
 * anything else — including requests a filter answered before any route ran (a 429).
 */
public final class HttpMetricsFilter implements Filter {
    private final MeterRegistry registry;

    public HttpMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        long start = System.nanoTime();
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        int status = 500;
        try {
            chain.doFilter(request, response);
            status = resp.getStatus();
        } finally {
            Object route = req.getAttribute(Router.ROUTE_ATTRIBUTE);
            String uri = route != null ? route.toString() : "UNMATCHED";
            Timer.builder("http.server.requests").description("HTTP requests by route and status")
                    .tag("method", req.getMethod()).tag("uri", uri).tag("status", Integer.toString(status))
                    .tag("outcome", outcome(status)).register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private static String outcome(int status) {
        if (status < 200) return "INFORMATIONAL";
        if (status < 300) return "SUCCESS";
        if (status < 400) return "REDIRECTION";
        if (status < 500) return "CLIENT_ERROR";
        return "SERVER_ERROR";
    }
}
