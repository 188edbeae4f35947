package io.redkit.queue;

import io.redkit.core.internal.Checks;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * How long to wait before the next attempt of a failed job. Immutable; stored with the job, so the
 * worker that sees the failure computes the delay.
 *
 * <ul>
 *   <li>{@link #none()}: retry at once;</li>
 *   <li>{@link #fixed(Duration)}: always the same delay;</li>
 *   <li>{@link #exponential(Duration, Duration)}: "full jitter" — a uniformly random delay between 0
 *       and {@code min(cap, base * 2^(attempt-1))};</li>
 *   <li>{@link #custom(String)}: a {@link BackoffFunction} registered under that name on the worker
 *       ({@link WorkerOptions.Builder#backoff(String, BackoffFunction)}).</li>
 * </ul>
 */
public final class Backoff {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** The kind of backoff. */
    public enum Kind { NONE, FIXED, EXPONENTIAL, CUSTOM }

    private final Kind kind;
    private final long baseMs;
    private final long capMs;
    private final String name;

    private Backoff(Kind kind, long baseMs, long capMs, String name) {
        this.kind = kind;
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.name = name;
    }

    /** Retry at once. */
    public static Backoff none() {
        return new Backoff(Kind.NONE, 0, 0, null);
    }

    /** Always wait {@code delay} (positive, at most 365 days). */
    public static Backoff fixed(Duration delay) {
        long ms = checkMs(delay, "backoff delay");
        return new Backoff(Kind.FIXED, ms, ms, null);
    }

    /**
     * Full-jitter exponential backoff: before attempt {@code n+1} wait a uniformly random time in
     * {@code [0, min(cap, base * 2^(n-1))]}.
     *
     * @throws IllegalArgumentException when base or cap is not positive or cap is below base
     */
    public static Backoff exponential(Duration base, Duration cap) {
        long b = checkMs(base, "backoff base");
        long c = checkMs(cap, "backoff cap");
        if (c < b) {
            throw new IllegalArgumentException("backoff cap must not be below its base: base " + base + ", cap " + cap);
        }
        return new Backoff(Kind.EXPONENTIAL, b, c, null);
    }

    /**
     * A function registered on the worker under {@code name} ({@code [A-Za-z0-9._-]}, 1 to 64
     * characters). A worker that has no function of that name uses {@link JobOptions#DEFAULT_BACKOFF}'s rule.
     */
    public static Backoff custom(String name) {
        Checks.notNull(name, "backoff name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("backoff name must be 1 to 64 of [A-Za-z0-9._-]: \"" + name + "\"");
        }
        return new Backoff(Kind.CUSTOM, 0, 0, name);
    }

    public Kind kind() {
        return kind;
    }

    /** The custom function's name, or {@code null}. */
    public String name() {
        return name;
    }

    /** The fixed delay or the exponential base. */
    public Duration base() {
        return Duration.ofMillis(baseMs);
    }

    /** The exponential cap (equal to the delay for fixed). */
    public Duration cap() {
        return Duration.ofMillis(capMs);
    }

    /**
     * The delay before the attempt after {@code failedAttempt} (1 = the first attempt failed).
     * Custom backoffs return {@code null}: the worker resolves them.
     */
    public Duration delayAfter(int failedAttempt, Random random) {
        switch (kind) {
            case NONE:
                return Duration.ZERO;
            case FIXED:
                return Duration.ofMillis(baseMs);
            case EXPONENTIAL:
                return Duration.ofMillis(jitter(exponentialCeiling(failedAttempt), random));
            default:
                return null;
        }
    }

    /** {@code min(cap, base * 2^(failedAttempt-1))} in ms, without overflow. */
    public long exponentialCeiling(int failedAttempt) {
        int shift = Math.max(0, failedAttempt - 1);
        if (shift >= 62 || baseMs > (capMs >> Math.min(shift, 62))) {
            return capMs;
        }
        return Math.min(capMs, baseMs << shift);
    }

    private static long jitter(long ceiling, Random random) {
        return ceiling <= 0 ? 0 : (long) Math.floor(random.nextDouble() * (ceiling + 1));
    }

    /** The compact form stored with a job. */
    public String spec() {
        switch (kind) {
            case NONE:
                return "n";
            case FIXED:
                return "f" + baseMs;
            case EXPONENTIAL:
                return "e" + baseMs + ":" + capMs;
            default:
                return "c" + name;
        }
    }

    /** Parses {@link #spec()}; unknown forms fall back to {@link JobOptions#DEFAULT_BACKOFF}. */
    public static Backoff parse(String spec) {
        try {
            if (spec.equals("n")) return none();
            if (spec.startsWith("f")) return fixed(Duration.ofMillis(Long.parseLong(spec.substring(1))));
            if (spec.startsWith("e")) {
                int c = spec.indexOf(':');
                return exponential(Duration.ofMillis(Long.parseLong(spec.substring(1, c))),
                        Duration.ofMillis(Long.parseLong(spec.substring(c + 1))));
            }
            if (spec.startsWith("c")) return custom(spec.substring(1));
        } catch (RuntimeException e) {
            // fall through
        }
        return JobOptions.DEFAULT_BACKOFF;
    }

    private static long checkMs(Duration d, String what) {
        Checks.positive(d, what);
        if (d.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException(what + " must be at most 365 days: " + d);
        }
        long ms = d.toMillis();
        if (ms == 0) {
            throw new IllegalArgumentException(what + " must be at least 1 ms: " + d);
        }
        return ms;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Backoff)) return false;
        Backoff b = (Backoff) o;
        return kind == b.kind && baseMs == b.baseMs && capMs == b.capMs && Objects.equals(name, b.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, baseMs, capMs, name);
    }

    @Override
    public String toString() {
        switch (kind) {
            case NONE:
                return "Backoff.none";
            case FIXED:
                return "Backoff.fixed(" + base() + ")";
            case EXPONENTIAL:
                return "Backoff.exponential(" + base() + ", cap " + cap() + ")";
            default:
                return "Backoff.custom(" + name + ")";
        }
    }
}
