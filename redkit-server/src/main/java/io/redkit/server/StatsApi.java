package io.redkit.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.cache.CacheStats;
import io.redkit.cache.QueryCache;
import io.redkit.cache.QueryStats;
import io.redkit.ratelimit.RatePolicies;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.server.http.Router;
import io.redkit.web.ratelimit.RateLimitFilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dashboard's data: {@code GET /api/cache/stats}, {@code GET /api/ratelimits} and
 * {@code GET /api/sessions/stats}. Counters (hits, allowed, denied) are this instance's since it
 * started; what lives in Redis (top limited keys, active sessions) is shared by every instance.
 */
final class StatsApi {
    private final QueryCache queryCache;
    private final MeterRegistry registry;
    private final RatePolicies policies;

    /** @param queryCache the products' query cache, or null when it is switched off */
    StatsApi(QueryCache queryCache, MeterRegistry registry, RatePolicies policies) {
        this.queryCache = queryCache;
        this.registry = registry;
        this.policies = policies;
    }

    void register(Router r) {
        r.get("/api/cache/stats", ex -> ex.json(200, Map.of("caches", caches())));
        r.get("/api/ratelimits", ex -> ex.json(200, Map.of("policies", limits())));
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
            m.put("algorithm", p.algorithm().name().toLowerCase(java.util.Locale.ROOT));
            m.put("allowed", count(p.name(), "allowed"));
            m.put("denied", count(p.name(), "denied"));
            out.add(m);
        }
        return out;
    }

    private long count(String policy, String outcome) {
        Counter c = registry.find(RateLimitFilter.METER).tag("policy", policy).tag("outcome", outcome).counter();
        return c == null ? 0 : (long) c.count();
    }
}
