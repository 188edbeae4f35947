package io.redkit.ratelimit.internal;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.ratelimit.DeniedKey;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RatePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The denial rankings behind {@link RateLimiter#recordDenial} and {@link RateLimiter#topDenied}: one
 * sorted set per policy and clock hour ({@link KeySpace#denied}), incremented by
 * {@code record_denial.lua} without waiting for the answer, trimmed to about
 * {@link RateLimiter#MAX_TOP_DENIED} members and expiring after the following hour. Thread-safe.
 */
final class DenialLog {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    private static final RedisScript RECORD = RedisScript.load(DenialLog.class, "record_denial.lua");
    static final long HOUR_MS = Duration.ofHours(1).toMillis();
    /** Kept beyond the end of the following hour, for processes whose clocks run a little behind. */
    private static final long EXPIRY_MARGIN_MS = Duration.ofMinutes(5).toMillis();

    private final RedisNamespace namespace;
    private final KeySpace keys;
    private final Clock clock;
    private final Optional<MeterRegistry> registry;
    private final LongAdder unrecorded = new LongAdder();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    DenialLog(RedisNamespace namespace, KeySpace keys, Clock clock, Optional<MeterRegistry> registry) {
        this.namespace = namespace;
        this.keys = keys;
        this.clock = clock;
        this.registry = registry;
    }

    /** Sends one denial without waiting; never throws. */
    void record(RatePolicy policy, String key) {
        long now = clock.millis();
        long hour = Math.floorDiv(now, HOUR_MS);
        long ttl = (hour + 2) * HOUR_MS + EXPIRY_MARGIN_MS - now;
        try {
            CompletableFuture<Long> f = namespace.eval(RECORD, ScriptOutputType.INTEGER,
                    new String[]{keys.denied(policy.name(), hour)}, key, 1, ttl, RateLimiter.MAX_TOP_DENIED);
            f.whenComplete((n, err) -> {
                if (err != null) {
                    unrecorded(policy, err);
                }
            });
        } catch (RuntimeException e) {
            unrecorded(policy, e);
        }
    }

    /** Counts a denial that was not recorded (Redis failed or was being skipped); never throws. */
    void unrecorded(RatePolicy policy, Throwable cause) {
        unrecorded.increment();
        try {
            registry.ifPresent(r -> counters.computeIfAbsent(policy.name(), p -> Counter
                    .builder("redkit.ratelimit.denials.unrecorded")
                    .description("Denials not added to the top-denied ranking because Redis failed or was unreachable")
                    .tag("policy", p).register(r)).increment());
        } catch (RuntimeException e) {
            LOG.debug("cannot count an unrecorded denial: {}", e.toString());
        }
        LOG.debug("denial under rate-limit policy {} not recorded: {}", policy.name(),
                cause == null ? "Redis is being skipped after a recent failure" : cause.toString());
    }

    /** Denials not recorded by this process so far. */
    long unrecorded() {
        return unrecorded.sum();
    }

    /** The current and previous hour's rankings summed, most denied first, ties by key; at most {@code n}. */
    List<DeniedKey> top(String policy, int n) {
        long hour = Math.floorDiv(clock.millis(), HOUR_MS);
        CompletableFuture<List<ScoredValue<byte[]>>> current =
                namespace.async().zrangeWithScores(keys.denied(policy, hour), 0, -1).toCompletableFuture();
        CompletableFuture<List<ScoredValue<byte[]>>> previous =
                namespace.async().zrangeWithScores(keys.denied(policy, hour - 1), 0, -1).toCompletableFuture();
        Map<String, Long> sums = new HashMap<>();
        for (CompletableFuture<List<ScoredValue<byte[]>>> f : List.of(current, previous)) {
            for (ScoredValue<byte[]> v : namespace.await("top denied keys of " + policy, f)) {
                sums.merge(new String(v.getValue(), StandardCharsets.UTF_8), Math.round(v.getScore()), Long::sum);
            }
        }
        List<DeniedKey> all = new ArrayList<>(sums.size());
        for (Map.Entry<String, Long> e : sums.entrySet()) {
            all.add(new DeniedKey(e.getKey(), e.getValue()));
        }
        all.sort(Comparator.comparingLong(DeniedKey::denials).reversed().thenComparing(DeniedKey::key));
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }
}
