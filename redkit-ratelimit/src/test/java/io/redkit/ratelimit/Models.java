package io.redkit.ratelimit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Simple, obviously-right models of the three algorithms, written from their definitions rather
 * than from the Lua script, for property tests. Times are microseconds.
 */
final class Models {
    private Models() {}

    /** What a model decided for one request. */
    record Outcome(boolean allowed, long remaining, long retryAfter, long resetAfter) {}

    interface Model {
        Outcome offer(long now, long cost);
    }

    /** The exact sliding window: a list of admitted unit times; a unit counts while t > now - window. */
    static final class ExactModel implements Model {
        final long limit;
        final long window;
        final List<Long> admitted = new ArrayList<>();

        ExactModel(long limit, long window) {
            this.limit = limit;
            this.window = window;
        }

        @Override
        public Outcome offer(long now, long cost) {
            List<Long> live = admitted.stream().filter(t -> t > now - window).sorted().toList();
            boolean ok = live.size() + cost <= limit;
            long retry = 0;
            if (!ok) {
                retry = live.get((int) (live.size() + cost - limit - 1)) + window - now;
            }
            if (ok) {
                for (int i = 0; i < cost; i++) admitted.add(now);
            }
            long count = live.size() + (ok ? cost : 0);
            long newest = ok ? now : live.isEmpty() ? 0 : live.get(live.size() - 1);
            return new Outcome(ok, limit - count, retry, count == 0 ? 0 : newest + window - now);
        }
    }

    /** The sliding window counter: units per aligned bucket; the previous bucket weighted by its overlap. */
    static final class CounterModel implements Model {
        final long limit;
        final long window;
        final Map<Long, Long> buckets = new HashMap<>();

        CounterModel(long limit, long window) {
            this.limit = limit;
            this.window = window;
        }

        double estimate(long now) {
            long k = Math.floorDiv(now, window);
            long elapsed = now - k * window;
            return buckets.getOrDefault(k, 0L) + buckets.getOrDefault(k - 1, 0L) * ((double) (window - elapsed) / window);
        }

        @Override
        public Outcome offer(long now, long cost) {
            double est = estimate(now);
            boolean ok = est + cost <= limit;
            if (ok) {
                buckets.merge(Math.floorDiv(now, window), cost, Long::sum);
            }
            return new Outcome(ok, Math.max(0, (long) Math.floor(limit - est - (ok ? cost : 0))), -1, -1);
        }
    }

    /**
     * A token bucket holding up to {@code burst} tokens, refilled continuously at limit per window
     * (integral microseconds per token), the textbook equivalent of GCRA.
     */
    static final class TokenBucketModel implements Model {
        final long perToken;
        final long capacity;
        long credit;     // microseconds of refill accumulated, at most capacity * perToken
        long last = Long.MIN_VALUE;

        TokenBucketModel(long limit, long window, long burst) {
            if (window % limit != 0) throw new IllegalArgumentException("model needs window divisible by limit");
            this.perToken = window / limit;
            this.capacity = burst;
            this.credit = burst * perToken;
        }

        @Override
        public Outcome offer(long now, long cost) {
            if (last != Long.MIN_VALUE) {
                credit = Math.min(capacity * perToken, credit + (now - last));
            }
            last = now;
            boolean ok = credit >= cost * perToken;
            long retry = 0;
            if (ok) {
                credit -= cost * perToken;
            } else {
                retry = cost * perToken - credit;
            }
            return new Outcome(ok, credit / perToken, retry, capacity * perToken - credit);
        }
    }
}
