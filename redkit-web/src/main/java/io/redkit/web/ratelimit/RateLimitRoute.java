package io.redkit.web.ratelimit;

import io.redkit.core.internal.Checks;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.ratelimit.RateLimiter;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Which requests a {@link RateLimitFilter} limits, and how: a path pattern, optional HTTP methods,
 * one or more (policy, key resolver) limits checked together all-or-nothing, and a cost. Immutable.
 *
 * <p>Patterns follow servlet mapping: {@code /login} (exact), {@code /api/*} ({@code /api} and
 * everything below), {@code *.json} (extension), {@code /*} (everything). The path is the request
 * URI without the context path.
 *
 * <p>With several limits, the first limit's key is the shared subject: the filter sends it as
 * {@code {k1}} and every other key as {@code {k1}:k2}, so all keys share one Redis Cluster hash
 * tag and the check stays one atomic script. Put the broadest subject first, e.g. the IP before
 * account-and-IP for login.
 *
 * <pre>{@code
 * RateLimitRoute.builder("/login").methods("POST")
 *         .limit(policies.get("login-ip"), KeyResolvers.clientIp(proxies))
 *         .limit(policies.get("login"), request -> request.getParameter("username"))
 *         .build();
 * }</pre>
 */
public final class RateLimitRoute {
    /** A limit of the route: a policy and how to find its key. */
    public record Limit(RatePolicy policy, KeyResolver resolver) {
        public Limit {
            Checks.notNull(policy, "policy");
            Checks.notNull(resolver, "resolver");
        }
    }

    private final String pattern;
    private final Set<String> methods;
    private final List<Limit> limits;
    private final ToLongFunction<HttpServletRequest> cost;

    private RateLimitRoute(Builder b) {
        this.pattern = b.pattern;
        this.methods = Set.copyOf(b.methods);
        this.limits = List.copyOf(b.limits);
        this.cost = b.cost == null ? r -> 1 : b.cost;
    }

    /** A builder for requests whose path matches {@code pattern} (see the class comment). */
    public static Builder builder(String pattern) {
        return new Builder(pattern);
    }

    public String pattern() {
        return pattern;
    }

    /** Upper-case methods this route applies to; empty means all. */
    public Set<String> methods() {
        return methods;
    }

    public List<Limit> limits() {
        return limits;
    }

    /** The cost of {@code request} (1 unless the route says otherwise). */
    public long cost(HttpServletRequest request) {
        return cost.applyAsLong(request);
    }

    /** Whether this route applies to {@code method} on {@code path}. */
    public boolean matches(String method, String path) {
        if (!methods.isEmpty() && !methods.contains(method.toUpperCase(Locale.ROOT))) {
            return false;
        }
        if (pattern.equals("/*") || pattern.equals("/")) {
            return true;
        }
        if (pattern.endsWith("/*")) {
            String base = pattern.substring(0, pattern.length() - 2);
            return path.equals(base) || path.startsWith(base + "/");
        }
        if (pattern.startsWith("*.")) {
            return path.endsWith(pattern.substring(1));
        }
        return path.equals(pattern);
    }

    @Override
    public String toString() {
        return "RateLimitRoute{" + (methods.isEmpty() ? "" : methods + " ") + pattern + " -> "
                + limits.stream().map(l -> l.policy().name()).toList() + "}";
    }

    /** Builds a {@link RateLimitRoute}; at least one limit is required. */
    public static final class Builder {
        private final String pattern;
        private final Set<String> methods = new LinkedHashSet<>();
        private final List<Limit> limits = new ArrayList<>();
        private ToLongFunction<HttpServletRequest> cost;

        private Builder(String pattern) {
            Checks.notBlank(pattern, "pattern");
            boolean ok = pattern.startsWith("/") && (pattern.indexOf('*') < 0 || pattern.endsWith("/*") && pattern.indexOf('*') == pattern.length() - 1)
                    || pattern.startsWith("*.") && pattern.indexOf('/') < 0 && pattern.lastIndexOf('*') == 0;
            if (!ok) {
                throw new IllegalArgumentException("route pattern \"" + pattern
                        + "\" is invalid: use /exact/path, /prefix/*, *.extension or /*");
            }
            this.pattern = pattern;
        }

        /** Only these methods (e.g. {@code POST}); all methods unless set. */
        public Builder methods(String... methods) {
            for (String m : methods) {
                this.methods.add(Checks.notBlank(m, "method").toUpperCase(Locale.ROOT));
            }
            return this;
        }

        /** Adds a limit; several limits are checked together, all-or-nothing. */
        public Builder limit(RatePolicy policy, KeyResolver resolver) {
            if (limits.size() == RateLimiter.MAX_LIMITS_PER_CHECK) {
                throw new IllegalArgumentException("a route has at most " + RateLimiter.MAX_LIMITS_PER_CHECK + " limits");
            }
            limits.add(new Limit(policy, resolver));
            return this;
        }

        /** The cost of a request (e.g. by page size), at least 1; 1 unless set. */
        public Builder cost(ToLongFunction<HttpServletRequest> cost) {
            Checks.notSetYet(this.cost, "cost");
            this.cost = Checks.notNull(cost, "cost");
            return this;
        }

        public RateLimitRoute build() {
            if (limits.isEmpty()) {
                throw new IllegalArgumentException("route " + pattern + " needs at least one limit");
            }
            return new RateLimitRoute(this);
        }
    }
}
