package io.redkit.web.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.redkit.core.RedkitException;
import io.redkit.core.internal.Checks;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.LimitedKey;
import io.redkit.ratelimit.RateLimiter;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Jakarta Servlet filter that rate-limits requests by route, in front of any servlet application
 * (Jetty, Tomcat, Spring MVC). Thread-safe; build it once with {@link #builder(RateLimiter)}.
 *
 * <p>For each request, the first {@link RateLimitRoute} that matches decides which limits apply;
 * their keys come from the route's {@link KeyResolver}s (a limit whose resolver has no key for
 * this request is left out; with none left, the request passes unlimited). The limits are checked
 * together in one round trip, all-or-nothing.
 *
 * <p>Every limited response carries the IETF draft fields ({@code draft-ietf-httpapi-ratelimit-headers})
 * {@code RateLimit-Policy: "login-ip";q=20;w=900, "login";q=5;w=900} (every limit of the route)
 * and {@code RateLimit: "login";r=0;t=842} (the deciding limit: remaining units, seconds until
 * it is wholly available again), and the common {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (seconds from now) for the deciding
 * limit. A denied request gets {@code 429 Too Many Requests}, {@code Retry-After} (whole seconds,
 * at least 1) and the JSON body
 * {@code {"error":"rate_limited","message":"Too many requests for policy 'login': retry in 842 s.","policy":"login","retryAfterSeconds":842}}.
 * When Redis is unreachable: a fail-open policy passes the request with no rate-limit headers; a
 * fail-closed one answers {@code 503} with {@code Retry-After} and
 * {@code {"error":"rate_limiter_unavailable","message":"The rate limiter for policy 'login' is unavailable: retry in 1 s.","policy":"login","retryAfterSeconds":1}};
 * a local-fallback one behaves as above. A check that fails otherwise (Redis answered an error of
 * the call itself, e.g. a limiter key holding another type; logged at warn level) answers the same
 * {@code 503}, never a 500. Every error body has {@code error} (a stable code for
 * programs) and {@code message} (a sentence for people, which may change), then {@code policy} and
 * {@code retryAfterSeconds} (the same value as {@code Retry-After}).
 *
 * <p>Counts each limited request in the Micrometer counter {@code redkit.ratelimit.requests} with
 * tags {@code policy} (the deciding limit) and {@code outcome} ({@code allowed}, {@code denied},
 * {@code fail_open}, {@code fail_closed}, {@code error}: the 503 of a check that failed).
 *
 * <p>Unless {@link Builder#recordDenials(boolean) turned off}, each 429 is also recorded with
 * {@link RateLimiter#recordDenial} under the deciding limit's policy and key, so
 * {@link RateLimiter#topDenied} can show the most limited keys of every policy across every
 * instance. That key is the one checked: the first limit's resolved key in braces, e.g.
 * {@code {203.0.113.7}}, and for the other limits of a route that key, a colon and theirs, e.g.
 * {@code {203.0.113.7}:alice}; it is stored in Redis for up to about two hours. Recording costs
 * Redis nothing per 429 (the limiter counts denials locally and sends them in the background, see
 * {@link RateLimiter#recordDenial}) and never delays or fails the response.
 */
public final class RateLimitFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitFilter.class);
    /** The counter of limited requests. */
    public static final String METER = "redkit.ratelimit.requests";

    private final RateLimiter limiter;
    private final List<RateLimitRoute> routes;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final boolean recordDenials;

    private RateLimitFilter(Builder b) {
        this.limiter = b.limiter;
        this.routes = List.copyOf(b.routes);
        this.registry = b.registry == null ? Metrics.globalRegistry : b.registry;
        this.recordDenials = b.recordDenials == null || b.recordDenials;
    }

    /** A builder for a filter checking through {@code limiter}. */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(limiter);
    }

    /** The routes, in matching order. */
    public List<RateLimitRoute> routes() {
        return routes;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        RateLimitRoute route = route(request);
        if (route == null) {
            chain.doFilter(req, res);
            return;
        }
        List<LimitedKey> limits = new ArrayList<>(route.limits().size());
        String subject = null;
        for (RateLimitRoute.Limit l : route.limits()) {
            String key = l.resolver().resolve(request);
            if (key == null) {
                continue;
            }
            key = bounded(key);
            if (subject == null) {
                subject = "{" + key + "}";
                limits.add(LimitedKey.of(l.policy(), subject));
            } else {
                limits.add(LimitedKey.of(l.policy(), subject + ":" + key));
            }
        }
        if (limits.isEmpty()) {
            chain.doFilter(req, res);
            return;
        }
        Decision d;
        try {
            d = limiter.check(route.cost(request), limits);
        } catch (RedkitException e) {
            // what no failure mode decides (Redis answered an error of the call itself, e.g. a key
            // holding another type): the service cannot tell, so it answers as when failing closed
            String policy = limits.get(0).policy().name();
            LOG.warn("rate-limit check under policy {} failed; answering 503", policy, e);
            count(policy, "error");
            response.setHeader("Retry-After", "1");
            reject(response, 503, "rate_limiter_unavailable",
                    "The rate limiter for policy '" + policy + "' is unavailable: retry in 1 s.", policy, 1);
            return;
        }
        count(d);
        if (d.reason() == Decision.Reason.FAIL_OPEN) {
            chain.doFilter(req, res);
            return;
        }
        long retrySeconds = Math.max(1, ceilSeconds(d.retryAfter()));
        if (d.reason() == Decision.Reason.FAIL_CLOSED) {
            response.setHeader("Retry-After", Long.toString(retrySeconds));
            reject(response, 503, "rate_limiter_unavailable",
                    "The rate limiter for policy '" + d.policy().name() + "' is unavailable: retry in " + retrySeconds + " s.",
                    d.policy().name(), retrySeconds);
            return;
        }
        writeHeaders(response, d);
        if (d.allowed()) {
            chain.doFilter(req, res);
            return;
        }
        if (recordDenials) {
            record(d);
        }
        response.setHeader("Retry-After", Long.toString(retrySeconds));
        reject(response, 429, "rate_limited",
                "Too many requests for policy '" + d.policy().name() + "': retry in " + retrySeconds + " s.",
                d.policy().name(), retrySeconds);
    }

    private RateLimitRoute route(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (path.isEmpty()) {
            path = "/";
        }
        for (RateLimitRoute r : routes) {
            if (r.matches(request.getMethod(), path)) {
                return r;
            }
        }
        return null;
    }

    private static void writeHeaders(HttpServletResponse response, Decision d) {
        StringBuilder policy = new StringBuilder();
        for (Decision part : d.limits()) {
            if (policy.length() > 0) policy.append(", ");
            policy.append('"').append(part.policy().name()).append("\";q=").append(part.limit())
                    .append(";w=").append(Math.max(1, ceilSeconds(part.policy().window())));
        }
        long reset = ceilSeconds(d.resetAfter());
        response.setHeader("RateLimit-Policy", policy.toString());
        response.setHeader("RateLimit", "\"" + d.policy().name() + "\";r=" + d.remaining() + ";t=" + reset);
        response.setHeader("X-RateLimit-Limit", Long.toString(d.limit()));
        response.setHeader("X-RateLimit-Remaining", Long.toString(d.remaining()));
        response.setHeader("X-RateLimit-Reset", Long.toString(reset));
    }

    /** Writes the JSON error body; policy names ({@code [a-z0-9._-]}) and the messages need no JSON escaping. */
    private static void reject(HttpServletResponse response, int status, String error, String message, String policy,
                               long retrySeconds) throws IOException {
        byte[] body = ("{\"error\":\"" + error + "\",\"message\":\"" + message + "\",\"policy\":\"" + policy
                + "\",\"retryAfterSeconds\":" + retrySeconds + "}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private void record(Decision d) {
        try {
            limiter.recordDenial(d.policy(), d.key());
        } catch (RuntimeException e) { // RedisRateLimiter never throws here; another implementation might
            LOG.debug("denial under rate-limit policy {} not recorded: {}", d.policy().name(), e.toString());
        }
    }

    private void count(Decision d) {
        String outcome;
        switch (d.reason()) {
            case FAIL_OPEN: outcome = "fail_open"; break;
            case FAIL_CLOSED: outcome = "fail_closed"; break;
            default: outcome = d.allowed() ? "allowed" : "denied";
        }
        count(d.policy().name(), outcome);
    }

    private void count(String policy, String outcome) {
        counters.computeIfAbsent(policy + "/" + outcome, k -> Counter.builder(METER)
                .description("Rate-limited requests by deciding policy and outcome")
                .tag("policy", policy).tag("outcome", outcome.toLowerCase(Locale.ROOT))
                .register(registry)).increment();
    }

    private static long ceilSeconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    /** Builds a {@link RateLimitFilter}. */
    public static final class Builder {
        private final RateLimiter limiter;
        private final List<RateLimitRoute> routes = new ArrayList<>();
        private MeterRegistry registry;
        private Boolean recordDenials;

        private Builder(RateLimiter limiter) {
            this.limiter = Checks.notNull(limiter, "limiter");
        }

        /** Adds a route; routes are tried in the order added and the first match applies. */
        public Builder route(RateLimitRoute route) {
            routes.add(Checks.notNull(route, "route"));
            return this;
        }

        /** Where to count requests; Micrometer's global registry unless set. */
        public Builder meterRegistry(MeterRegistry registry) {
            Checks.notSetYet(this.registry, "meterRegistry");
            this.registry = Checks.notNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Whether each 429 is recorded with {@link RateLimiter#recordDenial} for
         * {@link RateLimiter#topDenied}; {@code true} unless set. Turn it off where rate-limit keys
         * (IP addresses, user ids) must not be kept.
         */
        public Builder recordDenials(boolean record) {
            Checks.notSetYet(this.recordDenials, "recordDenials");
            this.recordDenials = record;
            return this;
        }

        /**
         * The filter.
         *
         * @throws IllegalArgumentException without any route
         */
        public RateLimitFilter build() {
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("a rate-limit filter needs at least one route");
            }
            return new RateLimitFilter(this);
        }
    }

    /** Resolved keys longer than this are limited under their SHA-256 digest instead. */
    static final int MAX_RESOLVED_KEY_LENGTH = 200;

    /**
     * The key as resolved, or, when a client made it longer than {@link #MAX_RESOLVED_KEY_LENGTH}
     * characters (a hostile header or parameter), {@code "#"} and its SHA-256 digest: still one key
     * per value, so a long value is limited like any other, never an error and never a way around.
     */
    static String bounded(String key) {
        if (key.length() <= MAX_RESOLVED_KEY_LENGTH) {
            return key;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "#" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
