package io.redkit.ratelimit.internal;

import io.redkit.ratelimit.Algorithm;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.LimitedKey;
import io.redkit.ratelimit.RatePolicy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process limiter of {@link io.redkit.ratelimit.FailureMode#LOCAL} policies while Redis is
 * unreachable: the same three algorithms with the same rules as {@code check.lua} (all-or-nothing,
 * denied requests consume nothing), on local time. Holds at most {@code maxKeys} keys, least
 * recently used evicted. Thread-safe (one lock; it only runs while Redis is away).
 */
public final class LocalLimiter {
    private final int maxKeys;
    private final Map<String, Object> states;

    public LocalLimiter(int maxKeys) {
        this.maxKeys = maxKeys;
        this.states = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                return size() > LocalLimiter.this.maxKeys;
            }
        };
    }

    /** Counters of the sliding-window counter: bucket start, units in it, units in the previous one. */
    private static final class Counter {
        long start;
        long current;
        long previous;
    }

    /** GCRA's theoretical arrival time. */
    private static final class Tat {
        long tat;
    }

    /** Evaluates and, when every limit admits, consumes; one decision per limit. */
    public synchronized List<Decision> check(long cost, List<LimitedKey> limits, List<String> keys, long now) {
        int n = limits.size();
        boolean[] ok = new boolean[n];
        long[] retry = new long[n];
        boolean all = true;
        for (int i = 0; i < n; i++) {
            RatePolicy p = limits.get(i).policy();
            retry[i] = evaluate(p, keys.get(i), cost, now);
            ok[i] = retry[i] == 0;
            all &= ok[i];
        }
        List<Decision> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RatePolicy p = limits.get(i).policy();
            String key = keys.get(i);
            if (all) {
                consume(p, key, cost, now);
            }
            long[] rr = remainingAndReset(p, key, now);
            out.add(Decision.of(ok[i], all ? Decision.Reason.WITHIN_LIMIT : Decision.Reason.OVER_LIMIT,
                    Decision.Source.LOCAL_FALLBACK, p, limits.get(i).key(), rr[0],
                    Duration.ofNanos(rr[1] * 1000), Duration.ofNanos(retry[i] * 1000)));
        }
        return out;
    }

    /** Forgets one key. */
    public synchronized void remove(String key) {
        states.remove(key);
    }

    synchronized int size() {
        return states.size();
    }

    /** 0 when the limit admits {@code cost} now, else the microseconds until it would. */
    private long evaluate(RatePolicy p, String key, long cost, long now) {
        long limit = p.limit();
        long window = p.windowMicros();
        if (p.algorithm() == Algorithm.SLIDING_WINDOW) {
            ArrayDeque<Long> log = log(key, now, window);
            if (log.size() + cost <= limit) return 0;
            long need = log.size() + cost - limit;
            Iterator<Long> it = log.iterator();
            long at = 0;
            for (long j = 0; j < need; j++) at = it.next();
            return Math.max(1, at + window - now);
        } else if (p.algorithm() == Algorithm.SLIDING_COUNTER) {
            long[] cp = counter(key, now, window);
            long cur = cp[0], c = cp[1], pr = cp[2];
            long elapsed = Math.max(0, now - cur);
            double est = c + pr * ((double) (window - elapsed) / window);
            if (est + cost <= limit) return 0;
            long room = limit - c - cost;
            double at;
            if (room >= 0 && pr > 0) {
                at = cur + window * (1 - (double) room / pr);
            } else {
                double e2 = 0;
                if (c > limit - cost) e2 = window * (1 - (double) (limit - cost) / c);
                at = cur + window + e2;
            }
            return (long) Math.ceil(at - now) + 1;
        } else {
            double t = (double) window / limit;
            long tat = Math.max(tat(key, now), now);
            long newTat = (long) Math.ceil(tat + cost * t);
            double tolerance = p.burst() * t;
            if (newTat - now <= tolerance + 0.5) return 0;
            return Math.max(1, (long) Math.ceil(newTat - tolerance - now));
        }
    }

    private void consume(RatePolicy p, String key, long cost, long now) {
        long window = p.windowMicros();
        if (p.algorithm() == Algorithm.SLIDING_WINDOW) {
            ArrayDeque<Long> log = log(key, now, window);
            long at = log.isEmpty() ? now : Math.max(now, log.peekLast() + 1);
            for (long j = 0; j < cost; j++) log.addLast(at);
        } else if (p.algorithm() == Algorithm.SLIDING_COUNTER) {
            long[] cp = counter(key, now, window);
            Counter c = (Counter) states.get(key);
            c.start = cp[0];
            c.current = cp[1] + cost;
            c.previous = cp[2];
        } else {
            double t = (double) window / p.limit();
            long tat = Math.max(tat(key, now), now);
            ((Tat) states.get(key)).tat = (long) Math.ceil(tat + cost * t);
        }
    }

    private long[] remainingAndReset(RatePolicy p, String key, long now) {
        long limit = p.limit();
        long window = p.windowMicros();
        if (p.algorithm() == Algorithm.SLIDING_WINDOW) {
            ArrayDeque<Long> log = log(key, now, window);
            return new long[]{limit - log.size(), log.isEmpty() ? 0 : log.peekLast() + window - now};
        } else if (p.algorithm() == Algorithm.SLIDING_COUNTER) {
            long[] cp = counter(key, now, window);
            long elapsed = Math.max(0, now - cp[0]);
            double est = cp[1] + cp[2] * ((double) (window - elapsed) / window);
            long reset = cp[1] > 0 ? cp[0] + 2 * window - now : cp[2] > 0 ? cp[0] + window - now : 0;
            return new long[]{(long) Math.floor(limit - est), reset};
        } else {
            double t = (double) window / limit;
            long tat = Math.max(tat(key, now), now);
            return new long[]{(long) Math.floor((p.burst() * t - (tat - now)) / t + 0.000001), tat - now};
        }
    }

    @SuppressWarnings("unchecked")
    private ArrayDeque<Long> log(String key, long now, long window) {
        ArrayDeque<Long> log = (ArrayDeque<Long>) states.computeIfAbsent(key, k -> new ArrayDeque<Long>());
        while (!log.isEmpty() && log.peekFirst() <= now - window) {
            log.pollFirst();
        }
        return log;
    }

    /** {current bucket start, units in it, units in the previous one} as of {@code now}. */
    private long[] counter(String key, long now, long window) {
        Counter c = (Counter) states.computeIfAbsent(key, k -> new Counter());
        long cur = now - Math.floorMod(now, window);
        if (c.start == cur) return new long[]{cur, c.current, c.previous};
        if (c.start == cur - window) return new long[]{cur, 0, c.current};
        if (c.start > cur) return new long[]{c.start, c.current, c.previous};
        return new long[]{cur, 0, 0};
    }

    private long tat(String key, long now) {
        Tat t = (Tat) states.computeIfAbsent(key, k -> {
            Tat x = new Tat();
            x.tat = now;
            return x;
        });
        return t.tat;
    }
}
