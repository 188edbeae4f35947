package io.redkit.session.internal;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The active-session count: one counter per expiry bucket ({@link KeySpace#active}), changed with
 * {@code active.lua} after each operation that creates a session, moves its expiry or ends it, and
 * summed from the current bucket to the last one a live session can be in.
 *
 * <p>The counters share one hash tag, so they live in another slot than the sessions on Cluster:
 * they are changed by a command of their own, sent without waiting for it (pipelined on the shared
 * connection). A change that fails is logged at debug level and lost; its error lasts until its
 * bucket passes, at most the idle timeout. Thread-safe.
 */
final class ActiveSessions {
    private static final Logger log = LoggerFactory.getLogger(ActiveSessions.class);
    private static final RedisScript ACTIVE = RedisScript.load(ActiveSessions.class, "active.lua");

    /** Buckets per idle timeout: a count reads this many counters, plus one. */
    static final int BUCKETS = 180;

    private final RedisNamespace ns;
    private final KeySpace keys;
    private final Optional<Clock> clock;
    private final long idleMs;
    private final long widthMs;
    private final Set<CompletableFuture<?>> pending;

    ActiveSessions(RedisNamespace ns, KeySpace keys, Optional<Clock> clock, long idleMs, Set<CompletableFuture<?>> pending) {
        this.ns = ns;
        this.keys = keys;
        this.clock = clock;
        this.idleMs = idleMs;
        this.widthMs = width(idleMs);
        this.pending = pending;
    }

    /** The bucket width for an idle timeout: idle / {@link #BUCKETS} rounded up to whole seconds, at least one second. */
    static long width(long idleMs) {
        long w = (idleMs + BUCKETS - 1) / BUCKETS;
        return Math.max(1_000, (w + 999) / 1_000 * 1_000);
    }

    long widthMs() {
        return widthMs;
    }

    /** Changes to send together. Not thread-safe. */
    final class Changes {
        private final Map<Long, Long> byBucket = new TreeMap<>();

        /** Adds {@code delta} sessions expiring at {@code expiresAtMs}; an unknown expiry (negative) is ignored. */
        Changes add(long expiresAtMs, long delta) {
            if (expiresAtMs >= 0 && delta != 0) {
                byBucket.merge(expiresAtMs / widthMs, delta, Long::sum);
            }
            return this;
        }

        /** One session whose expiry moved from {@code fromMs} to {@code toMs}. */
        Changes move(long fromMs, long toMs) {
            return add(fromMs, -1).add(toMs, 1);
        }

        /** Sends the changes without waiting; never throws. */
        void send(long nowArg) {
            byBucket.values().removeIf(d -> d == 0);
            if (byBucket.isEmpty()) {
                return;
            }
            String[] k = new String[byBucket.size()];
            List<Object> args = new ArrayList<>(2 + 2 * k.length);
            args.add(nowArg);
            args.add(widthMs);
            int i = 0;
            for (Map.Entry<Long, Long> e : byBucket.entrySet()) {
                k[i++] = keys.active(widthMs, e.getKey());
                args.add(e.getKey());
                args.add(e.getValue());
            }
            try {
                CompletableFuture<Long> f = ns.eval(ACTIVE, ScriptOutputType.INTEGER, k, args.toArray());
                pending.add(f);
                f.whenComplete((n, err) -> {
                    pending.remove(f);
                    if (err != null) {
                        log.debug("active-session counters not updated ({} buckets); the count is off until they pass: {}",
                                k.length, err.toString());
                    }
                });
            } catch (RuntimeException e) {
                log.debug("active-session counters not updated ({} buckets); the count is off until they pass: {}",
                        k.length, e.toString());
            }
        }
    }

    Changes changes() {
        return new Changes();
    }

    /** The sum of the counters from the current bucket on, at least 0. One {@code TIME} (without a test clock) and one {@code MGET}. */
    long count() {
        long now = clock.map(Clock::millis).orElseGet(this::redisNow);
        long first = now / widthMs;
        long last = (now + idleMs) / widthMs;
        String[] k = new String[(int) (last - first + 1)];
        for (int i = 0; i < k.length; i++) {
            k[i] = keys.active(widthMs, first + i);
        }
        List<KeyValue<String, byte[]>> values = ns.await("active sessions count", ns.async().mget(k));
        long sum = 0;
        for (KeyValue<String, byte[]> kv : values) {
            if (kv != null && kv.hasValue()) {
                sum += Long.parseLong(new String(kv.getValue(), StandardCharsets.US_ASCII));
            }
        }
        return Math.max(0, sum);
    }

    private long redisNow() {
        List<byte[]> t = ns.await("time", ns.async().time());
        return Long.parseLong(new String(t.get(0), StandardCharsets.US_ASCII)) * 1000
                + Long.parseLong(new String(t.get(1), StandardCharsets.US_ASCII)) / 1000;
    }
}
