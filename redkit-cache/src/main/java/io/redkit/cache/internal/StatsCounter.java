package io.redkit.cache.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.cache.CacheStats;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link CacheStats}; optionally published to Micrometer. Thread-safe. */
public final class StatsCounter {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder nearHits = new LongAdder();
    final LongAdder staleHits = new LongAdder();
    final LongAdder loads = new LongAdder();
    final LongAdder loadFailures = new LongAdder();
    final LongAdder loadNanos = new LongAdder();
    final LongAdder redisFailures = new LongAdder();
    final LongAdder oversized = new LongAdder();

    public CacheStats snapshot() {
        return new CacheStats(hits.sum(), misses.sum(), nearHits.sum(), staleHits.sum(), loads.sum(), loadFailures.sum(),
                Duration.ofNanos(loadNanos.sum()), redisFailures.sum(), oversized.sum());
    }

    /** Publishes the counters as {@code redkit.cache.*} meters tagged with the cache name. */
    public void bind(MeterRegistry registry, String cache) {
        FunctionCounter.builder("redkit.cache.gets", hits, LongAdder::doubleValue).tag("cache", cache).tag("result", "hit")
                .description("lookups answered by the cache").register(registry);
        FunctionCounter.builder("redkit.cache.gets", misses, LongAdder::doubleValue).tag("cache", cache).tag("result", "miss")
                .description("lookups the cache could not answer").register(registry);
        FunctionCounter.builder("redkit.cache.near.hits", nearHits, LongAdder::doubleValue).tag("cache", cache)
                .description("hits answered by the near cache").register(registry);
        FunctionCounter.builder("redkit.cache.stale.hits", staleHits, LongAdder::doubleValue).tag("cache", cache)
                .description("hits that served a value past its soft TTL").register(registry);
        FunctionTimer.builder("redkit.cache.loads", this, s -> s.loads.sum(), s -> s.loadNanos.sum(), TimeUnit.NANOSECONDS)
                .tag("cache", cache).tag("result", "success").description("loader calls that returned").register(registry);
        FunctionCounter.builder("redkit.cache.loads.failed", loadFailures, LongAdder::doubleValue).tag("cache", cache)
                .description("loader calls that threw").register(registry);
        FunctionCounter.builder("redkit.cache.redis.failures", redisFailures, LongAdder::doubleValue).tag("cache", cache)
                .description("Redis calls that failed or were skipped while Redis was unreachable").register(registry);
        FunctionCounter.builder("redkit.cache.oversized", oversized, LongAdder::doubleValue).tag("cache", cache)
                .description("loaded values not cached because they exceeded the size limit").register(registry);
        Gauge.builder("redkit.cache.hit.ratio", this, s -> s.snapshot().hitRatio()).tag("cache", cache)
                .description("hits / (hits + misses) since start").register(registry);
    }
}
