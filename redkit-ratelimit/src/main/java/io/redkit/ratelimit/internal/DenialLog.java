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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The denial rankings behind {@link RateLimiter#recordDenial} and {@link RateLimiter#topDenied}: one
 * sorted set per policy and clock hour ({@link KeySpace#denied}), trimmed to about
 * {@link RateLimiter#MAX_TOP_DENIED} members and expiring after the following hour.
 *
 * <p>A denial costs Redis nothing when it is recorded: it adds one to a local count per policy,
 * hour and key (at most {@link #MAX_PENDING} distinct ones; a denial of a new key beyond that is
 * dropped and counted as unrecorded). A background thread, started by the first recording, sends
 * the counts every flush interval ({@link #flush}: at most {@link #MAX_PENDING} keys, in calls of
 * {@code record_denial.lua} carrying up to {@link #MAX_KEYS_PER_CALL} keys of one ranking each), and
 * {@link #close} sends what is left. Thread-safe.
 */
final class DenialLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    private static final RedisScript RECORD = RedisScript.load(DenialLog.class, "record_denial.lua");
    static final long HOUR_MS = Duration.ofHours(1).toMillis();
    /** Kept beyond the end of the following hour, for processes whose clocks run a little behind. */
    private static final long EXPIRY_MARGIN_MS = Duration.ofMinutes(5).toMillis();
    /** Distinct (policy, hour, key) counts held between two flushes: 10,000. Bounds memory and one flush. */
    static final int MAX_PENDING = 10_000;
    /** Keys one {@code record_denial.lua} call carries: 100. Bounds the time Redis spends in one call. */
    static final int MAX_KEYS_PER_CALL = 100;

    /** One count awaiting a flush: a key denied under a policy in one clock hour. */
    private record Pending(String policy, long hour, String key) {}

    private final RedisNamespace namespace;
    private final KeySpace keys;
    private final Clock clock;
    private final Duration interval;
    private final Optional<MeterRegistry> registry;
    private final LongAdder unrecorded = new LongAdder();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Pending, Long> pending = new ConcurrentHashMap<>();
    private final AtomicInteger pendingSize = new AtomicInteger();
    /** Serializes flushes: the scheduled ones and the one of {@link #close}. */
    private final Object flushLock = new Object();
    /** Started by the first recording; null before and after {@link #close}. */
    private ScheduledExecutorService flusher;
    private volatile boolean started;
    private volatile boolean closed;

    DenialLog(RedisNamespace namespace, KeySpace keys, Clock clock, Duration interval, Optional<MeterRegistry> registry) {
        this.namespace = namespace;
        this.keys = keys;
        this.clock = clock;
        this.interval = interval;
        this.registry = registry;
    }

    /** Counts one denial locally, for the next flush; never throws, never touches Redis. */
    void record(RatePolicy policy, String key) {
        if (closed) {
            unrecorded(policy, 1, "the rate limiter is closed");
            return;
        }
        long hour = Math.floorDiv(clock.millis(), HOUR_MS);
        Long n = pending.compute(new Pending(policy.name(), hour, key), (k, v) -> {
            if (v != null) {
                return v + 1;
            }
            if (pendingSize.incrementAndGet() > MAX_PENDING) {
                pendingSize.decrementAndGet();
                return null;
            }
            return 1L;
        });
        if (n == null) {
            unrecorded(policy, 1, "more than " + MAX_PENDING + " distinct keys denied since the last flush");
            return;
        }
        if (!started) {
            start();
        }
    }

    private synchronized void start() {
        if (started || closed) {
            return;
        }
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redkit-ratelimit-denials");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
        started = true;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("flushing rate-limit denials failed", e);
        }
    }

    /**
     * Sends the counts recorded so far (at most {@link #MAX_PENDING} keys) and waits for Redis's
     * answers, at most about twice the command timeout per call. A count Redis did not take is
     * counted as unrecorded. Never throws for a Redis failure.
     *
     * @return the denials sent and acknowledged
     */
    long flush() {
        synchronized (flushLock) {
            Map<Pending, Long> taken = new LinkedHashMap<>();
            Iterator<Pending> it = pending.keySet().iterator();
            while (taken.size() < MAX_PENDING && it.hasNext()) {
                Pending p = it.next();
                Long n = pending.remove(p);
                if (n != null) {
                    pendingSize.decrementAndGet();
                    taken.put(p, n);
                }
            }
            if (taken.isEmpty()) {
                return 0;
            }
            long now = clock.millis();
            Map<Pending, List<Map.Entry<Pending, Long>>> byRanking = new LinkedHashMap<>();
            for (Map.Entry<Pending, Long> e : taken.entrySet()) {
                Pending p = e.getKey();
                byRanking.computeIfAbsent(new Pending(p.policy(), p.hour(), ""), r -> new ArrayList<>()).add(e);
            }
            List<Call> calls = new ArrayList<>();
            for (Map.Entry<Pending, List<Map.Entry<Pending, Long>>> r : byRanking.entrySet()) {
                String policy = r.getKey().policy();
                long hour = r.getKey().hour();
                long ttl = (hour + 2) * HOUR_MS + EXPIRY_MARGIN_MS - now;
                List<Map.Entry<Pending, Long>> entries = r.getValue();
                for (int from = 0; from < entries.size(); from += MAX_KEYS_PER_CALL) {
                    List<Map.Entry<Pending, Long>> chunk = entries.subList(from, Math.min(entries.size(), from + MAX_KEYS_PER_CALL));
                    long denials = 0;
                    Object[] args = new Object[2 + 2 * chunk.size()];
                    args[0] = ttl;
                    args[1] = RateLimiter.MAX_TOP_DENIED;
                    for (int i = 0; i < chunk.size(); i++) {
                        args[2 + 2 * i] = chunk.get(i).getKey().key();
                        args[3 + 2 * i] = chunk.get(i).getValue();
                        denials += chunk.get(i).getValue();
                    }
                    if (ttl <= 0) { // an hour that has left every ranking anyone reads
                        unrecorded(policy, denials, "its hour ended more than an hour ago");
                        continue;
                    }
                    CompletableFuture<Long> f;
                    try {
                        f = namespace.eval(RECORD, ScriptOutputType.INTEGER, new String[]{keys.denied(policy, hour)}, args);
                    } catch (RuntimeException e) {
                        f = CompletableFuture.failedFuture(e);
                    }
                    calls.add(new Call(policy, denials, f));
                }
            }
            long sent = 0;
            for (Call c : calls) {
                try {
                    namespace.await("record rate-limit denials", c.result);
                    sent += c.denials;
                } catch (RuntimeException e) {
                    unrecorded(c.policy, c.denials, e.toString());
                }
            }
            return sent;
        }
    }

    private record Call(String policy, long denials, CompletableFuture<Long> result) {}

    /** Stops the background flushes and sends what is left ({@link #flush}); recordings after it are dropped and counted. */
    @Override
    public void close() {
        ScheduledExecutorService f;
        synchronized (this) {
            closed = true;
            f = flusher;
            flusher = null;
        }
        if (f != null) {
            f.shutdown();
        }
        flush();
    }

    /** Counts a denial that was not recorded (Redis failed or was being skipped); never throws. */
    void unrecorded(RatePolicy policy, Throwable cause) {
        unrecorded(policy.name(), 1, cause == null ? "Redis is being skipped after a recent failure" : cause.toString());
    }

    private void unrecorded(RatePolicy policy, long denials, String why) {
        unrecorded(policy.name(), denials, why);
    }

    private void unrecorded(String policy, long denials, String why) {
        try {
            registry.ifPresent(r -> counters.computeIfAbsent(policy, p -> Counter
                    .builder("redkit.ratelimit.denials.unrecorded")
                    .description("Denials not added to the top-denied ranking because Redis failed or was unreachable")
                    .tag("policy", p).register(r)).increment(denials));
        } catch (RuntimeException e) {
            LOG.debug("cannot count an unrecorded denial: {}", e.toString());
        }
        unrecorded.add(denials); // after the meter, so a reader that sees this count finds the meter counted too
        LOG.debug("{} denial(s) under rate-limit policy {} not recorded: {}", denials, policy, why);
    }

    /** Denials not recorded by this process so far. */
    long unrecorded() {
        return unrecorded.sum();
    }

    /** Distinct keys whose counts await the next flush. */
    int pending() {
        return pendingSize.get();
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
