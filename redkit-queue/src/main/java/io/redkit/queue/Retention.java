package io.redkit.queue;

import io.redkit.core.internal.Checks;

import java.time.Duration;
import java.util.Objects;

/**
 * How many finished (completed or dead) jobs a queue keeps, by count and/or age. Older jobs are
 * deleted incrementally, at most 100 per state change, never with one big blocking delete.
 * Immutable.
 */
public final class Retention {
    private final long maxCount;
    private final Duration maxAge;

    private Retention(long maxCount, Duration maxAge) {
        this.maxCount = maxCount;
        this.maxAge = maxAge;
    }

    /** Keep nothing: a completed job is deleted at once (BullMQ's {@code removeOnComplete: true}). */
    public static Retention none() {
        return new Retention(0, Duration.ZERO);
    }

    /** Keep every job (until removed by hand). */
    public static Retention all() {
        return new Retention(-1, Duration.ZERO);
    }

    /** Keep the newest {@code maxCount} jobs (zero or more). */
    public static Retention count(long maxCount) {
        return new Retention(Checks.notNegative(maxCount, "retention maxCount"), Duration.ZERO);
    }

    /** Keep jobs finished less than {@code maxAge} ago (positive). */
    public static Retention age(Duration maxAge) {
        return new Retention(-1, Checks.positive(maxAge, "retention maxAge"));
    }

    /** Keep at most {@code maxCount} jobs, none older than {@code maxAge}. */
    public static Retention of(long maxCount, Duration maxAge) {
        Checks.notNegative(maxCount, "retention maxCount");
        Checks.positive(maxAge, "retention maxAge");
        return new Retention(maxCount, maxAge);
    }

    /** The count limit; -1 = no limit. */
    public long maxCount() {
        return maxCount;
    }

    /** The age limit; zero = no limit. */
    public Duration maxAge() {
        return maxAge;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Retention && ((Retention) o).maxCount == maxCount && ((Retention) o).maxAge.equals(maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxCount, maxAge);
    }

    @Override
    public String toString() {
        return "Retention{maxCount=" + (maxCount < 0 ? "unlimited" : maxCount) + ", maxAge=" + (maxAge.isZero() ? "unlimited" : maxAge) + "}";
    }
}
