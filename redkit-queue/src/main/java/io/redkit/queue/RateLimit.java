package io.redkit.queue;

import io.redkit.core.internal.Checks;

import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code max} jobs of a queue start in any sliding window of length {@code period}, across
 * all workers (counted in Redis with Redis time). Every process that runs workers for the queue must
 * configure the same limit. Immutable.
 */
public final class RateLimit {
    private final int max;
    private final Duration period;

    private RateLimit(int max, Duration period) {
        this.max = max;
        this.period = period;
    }

    /**
     * @param max starts per period, 1 to 1,000,000
     * @param period the window, 1 ms to 1 day
     */
    public static RateLimit of(int max, Duration period) {
        Checks.inRange(max, 1, 1_000_000, "rate limit max");
        Checks.positive(period, "rate limit period");
        if (period.toMillis() < 1 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("rate limit period must be between 1 ms and 1 day: " + period);
        }
        return new RateLimit(max, period);
    }

    public int max() {
        return max;
    }

    public Duration period() {
        return period;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RateLimit && ((RateLimit) o).max == max && ((RateLimit) o).period.equals(period);
    }

    @Override
    public int hashCode() {
        return Objects.hash(max, period);
    }

    @Override
    public String toString() {
        return "RateLimit{" + max + " per " + period + "}";
    }
}
