package io.redkit.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.cache.CacheStats;
import io.redkit.cache.QueryCache;
import io.redkit.cache.QueryStats;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.DeniedKey;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.server.http.ApiException;
import io.redkit.server.http.Exchange;
import io.redkit.server.http.Router;
import io.redkit.session.SessionStore;
import io.redkit.web.ratelimit.RateLimitFilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard's data: {@code GET /api/cache/stats}, {@code GET /api/ratelimits} and
 * {@code GET /api/sessions/stats}. Counters (hits, allowed, denied) are this instance's since it
 * started; what lives in Redis (top limited keys, active sessions) is shared by every instance.
 * Admins only: the most-limited keys include client IPs and e-mail addresses.
 */
final class StatsApi {
    private final QueryCache queryCache;
    private final MeterRegistry registry;
    private final RatePolicies policies;

    /** Most-limited keys shown per policy. */
    static final int TOP_KEYS = 5;

    private final RateLimiter limiter;
    private final SessionStore sessions;
    private final Access access;

    /** @param queryCache the products' query cache, or null when it is switched off */
    StatsApi(QueryCache queryCache, MeterRegistry registry, RatePolicies policies, RateLimiter limiter, SessionStore sessions,
             Access access) {
        this.access = access;
        this.queryCache = queryCache;
        this.registry = registry;
        this.policies = policies;
        this.limiter = limiter;
        this.sessions = sessions;
    }

    void register(Router r) {
        r.get("/api/cache/stats", access.adminOnly(ex -> ex.json(200, Map.of("caches", caches()))));
        r.get("/api/ratelimits", access.adminOnly(ex -> ex.json(200, Map.of("policies", limits()))));
        r.get("/api/ratelimits/{policy}/{key}", access.adminOnly(this::usage));
        r.get("/api/sessions/stats", access.adminOnly(ex -> ex.json(200, Map.of("active", sessions.estimatedActiveSessions(),
                "idleTimeoutSeconds", sessions.options().idleTimeout().toSeconds()))));
    }

    /** Gauge {@code redkit.sessions.active}: the store's estimate, read at most once every 5 s (NaN while Redis is down). */
    static void bindSessionGauge(SessionStore sessions, MeterRegistry registry) {
        long[] cached = {0, Long.MIN_VALUE};
        Gauge.builder("redkit.sessions.active", sessions, s -> {
            synchronized (cached) {
                long now = System.nanoTime();
                if (cached[1] == Long.MIN_VALUE || now - cached[1] > 5_000_000_000L) {
                    try {
                        cached[0] = s.estimatedActiveSessions();
                    } catch (RuntimeException unavailable) {
                        return Double.NaN;
                    }
                    cached[1] = now;
                }
                return cached[0];
            }
        }).description("live sessions (estimate, see SessionStore.estimatedActiveSessions)").register(registry);
    }

    /** {@code GET /api/ratelimits/{policy}/{key}}: the key's current usage, consuming nothing. */
    private void usage(Exchange ex) {
        String name = ex.path("policy");
        RatePolicy policy = policies.asMap().get(name);
        if (policy == null) {
            throw ApiException.notFound("no rate policy '" + name + "'; policies: " + policies.asMap().keySet());
        }
        Decision d = limiter.inspect(policy, ex.path("key"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", policy.name());
        m.put("key", d.key());
        m.put("limit", d.limit());
        m.put("remaining", d.remaining());
        m.put("used", d.limit() - d.remaining());
        m.put("allowed", d.allowed());
        m.put("resetAfterMillis", d.resetAfter().toMillis());
        m.put("retryAfterMillis", d.retryAfter().toMillis());
        m.put("source", d.source().name().toLowerCase(Locale.ROOT));
        ex.json(200, m);
    }

    private List<Map<String, Object>> caches() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (queryCache == null) return out;
        CacheStats c = queryCache.cacheStats();
        QueryStats q = queryCache.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", QueryCache.DEFAULT_CACHE_NAME);
        m.put("hits", c.hits());
        m.put("misses", c.misses());
        m.put("hitRatio", c.hitRatio());
        m.put("nearHits", c.nearHits());
        m.put("staleHits", c.staleHits());
        m.put("loads", c.loads());
        m.put("loadFailures", c.loadFailures());
        m.put("averageLoadMillis", c.loads() == 0 ? 0.0 : c.totalLoadTime().toNanos() / 1e6 / c.loads());
        m.put("redisFailures", c.redisFailures());
        m.put("queriesFromCache", q.fromCache());
        m.put("queriesFromDatabase", q.fromDatabase());
        m.put("databaseQueriesSaved", q.fromCache());
        m.put("writes", q.writes());
        m.put("invalidations", q.invalidations());
        out.add(m);
        return out;
    }

    private List<Map<String, Object>> limits() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RatePolicy p : policies.asMap().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("limit", p.rate());
            m.put("algorithm", p.algorithm().name().toLowerCase(Locale.ROOT));
            m.put("allowed", count(p.name(), "allowed"));
            m.put("denied", count(p.name(), "denied"));
            List<Map<String, Object>> top = new ArrayList<>();
            try {
                for (DeniedKey k : limiter.topDenied(p.name(), TOP_KEYS)) top.add(Map.of("key", k.key(), "denied", k.denials()));
            } catch (RuntimeException unavailable) {
                // counts still show; the most-limited keys live in Redis
            }
            m.put("topKeys", top);
            out.add(m);
        }
        return out;
    }

    private long count(String policy, String outcome) {
        Counter c = registry.find(RateLimitFilter.METER).tag("policy", policy).tag("outcome", outcome).counter();
        return c == null ? 0 : (long) c.count();
    }
}
