package io.redkit.ratelimit;

import io.redkit.core.internal.Checks;
import io.redkit.core.internal.Durations;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One named limit: at most {@link #limit()} units per {@link #window()}, counted by an
 * {@link Algorithm}, with a {@link FailureMode} for when Redis is unreachable. Immutable and
 * thread-safe.
 *
 * <p>The policy travels with every check; nothing about it is stored in Redis. Changing a limit,
 * a window or a failure mode is a deploy, not a migration: the next check uses the new values
 * against the existing state. Changing the algorithm starts from fresh state (the key differs).
 *
 * <pre>{@code
 * RatePolicy login = RatePolicy.builder("login")
 *         .limit(5).window(Duration.ofMinutes(15))
 *         .failureMode(FailureMode.LOCAL)
 *         .build();
 * }</pre>
 */
public final class RatePolicy {
    /** The algorithm unless set: {@link Algorithm#SLIDING_WINDOW}, exact. */
    public static final Algorithm DEFAULT_ALGORITHM = Algorithm.SLIDING_WINDOW;
    /** The failure mode unless set: {@link FailureMode#OPEN}. */
    public static final FailureMode DEFAULT_FAILURE_MODE = FailureMode.OPEN;
    /** The shortest window: 1 ms. */
    public static final Duration MIN_WINDOW = Duration.ofMillis(1);
    /** The longest window: 366 days. */
    public static final Duration MAX_WINDOW = Duration.ofDays(366);
    /**
     * The largest limit of an exact {@link Algorithm#SLIDING_WINDOW} policy (100,000 units per
     * window, a few MB per key at most); above that use {@link Algorithm#SLIDING_COUNTER} or
     * {@link Algorithm#GCRA}.
     */
    public static final long MAX_EXACT_LIMIT = 100_000;
    /** The largest limit of the O(1) algorithms: 10^12 units per window. */
    public static final long MAX_LIMIT = 1_000_000_000_000L;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final String name;
    private final long limit;
    private final Duration window;
    private final Algorithm algorithm;
    private final FailureMode failureMode;
    private final long burst;

    private RatePolicy(Builder b) {
        this.name = b.name;
        this.limit = b.limit;
        this.window = b.window;
        this.algorithm = b.algorithm == null ? DEFAULT_ALGORITHM : b.algorithm;
        this.failureMode = b.failureMode == null ? DEFAULT_FAILURE_MODE : b.failureMode;
        this.burst = b.burst == null ? limit : b.burst;
    }

    /**
     * A builder for the policy {@code name}: lower-case letters, digits, {@code .}, {@code _} and
     * {@code -}, at most 64 characters, e.g. {@code password-reset}.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** {@code limit} units per {@code window}, with the default algorithm and failure mode. */
    public static RatePolicy of(String name, long limit, Duration window) {
        return builder(name).limit(limit).window(window).build();
    }

    /**
     * Parses {@code <limit>/<window>} with optional {@code ;algorithm=<a>}, {@code ;burst=<n>} and
     * {@code ;on-redis-down=open|closed|local} parts, e.g. {@code 5/15m} or
     * {@code 1000/1m;algorithm=gcra;burst=50}, on top of {@code base} (its name and any part the
     * text leaves out).
     *
     * @throws IllegalArgumentException saying what was wrong and what is allowed
     */
    public static RatePolicy parse(RatePolicy base, String text) {
        Objects.requireNonNull(base, "base");
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("rate \"" + text + "\" is empty: expected " + FORMAT);
        }
        String[] parts = text.trim().split(";");
        String rate = parts[0].trim();
        int slash = rate.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("rate \"" + text + "\" is not <limit>/<window>: expected " + FORMAT);
        }
        long limit;
        try {
            limit = Long.parseLong(rate.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit \"" + rate.substring(0, slash).trim() + "\" in \"" + text
                    + "\" is not a whole number: expected " + FORMAT);
        }
        Duration window = Durations.parse(rate.substring(slash + 1).trim(), "window in \"" + text + "\"");
        Builder b = new Builder(base.name);
        b.limit(limit).window(window);
        Algorithm algorithm = base.algorithm;
        FailureMode mode = base.failureMode;
        Long burst = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String k = eq < 0 ? p : p.substring(0, eq).trim();
            String v = eq < 0 ? "" : p.substring(eq + 1).trim();
            switch (k) {
                case "algorithm":
                    algorithm = Algorithm.parse(v);
                    break;
                case "on-redis-down":
                    mode = FailureMode.parse(v);
                    break;
                case "burst":
                    try {
                        burst = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("burst \"" + v + "\" in \"" + text + "\" is not a whole number");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown option \"" + k + "\" in \"" + text
                            + "\": allowed are algorithm, burst, on-redis-down");
            }
        }
        b.algorithm(algorithm).failureMode(mode);
        if (burst != null) {
            b.burst(burst);
        } else if (algorithm == Algorithm.GCRA && base.algorithm == Algorithm.GCRA && base.burst != base.limit) {
            b.burst(base.burst);
        }
        return b.build();
    }

    /** The accepted text form, for messages. */
    public static final String FORMAT = "<limit>/<window>[;algorithm=" + Algorithm.allowed().replace(", ", "|")
            + "][;burst=<n>][;on-redis-down=" + FailureMode.allowed().replace(", ", "|") + "], e.g. 5/15m or 1000/1m;algorithm=gcra";

    /** The policy's name, part of every state key and of metrics. */
    public String name() {
        return name;
    }

    /** Units admitted per window. */
    public long limit() {
        return limit;
    }

    /** The window length. */
    public Duration window() {
        return window;
    }

    /** The window in microseconds, as the script counts. */
    public long windowMicros() {
        return window.getSeconds() * 1_000_000L + window.getNano() / 1_000;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public FailureMode failureMode() {
        return failureMode;
    }

    /** Units a {@link Algorithm#GCRA} policy admits at once; {@link #limit()} unless set, and for other algorithms. */
    public long burst() {
        return burst;
    }

    /** A builder holding this policy's values. */
    public Builder toBuilder() {
        Builder b = new Builder(name).limit(limit).window(window).algorithm(algorithm).failureMode(failureMode);
        if (algorithm == Algorithm.GCRA && burst != limit) {
            b.burst(burst);
        }
        return b;
    }

    /** {@code <limit>/<window>} as {@link #parse} reads it, plus the non-default parts. */
    public String rate() {
        StringBuilder sb = new StringBuilder().append(limit).append('/').append(Durations.format(window));
        sb.append(";algorithm=").append(algorithm.id());
        if (algorithm == Algorithm.GCRA && burst != limit) {
            sb.append(";burst=").append(burst);
        }
        return sb.append(";on-redis-down=").append(failureMode.id()).toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof RatePolicy)) return false;
        RatePolicy p = (RatePolicy) o;
        return limit == p.limit && burst == p.burst && name.equals(p.name) && window.equals(p.window)
                && algorithm == p.algorithm && failureMode == p.failureMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, limit, window, algorithm, failureMode, burst);
    }

    @Override
    public String toString() {
        return "RatePolicy{" + name + " " + rate() + "}";
    }

    /** Builds a {@link RatePolicy}; {@code limit} and {@code window} are required; each option may be set once. */
    public static final class Builder {
        private final String name;
        private long limit = -1;
        private Duration window;
        private Algorithm algorithm;
        private FailureMode failureMode;
        private Long burst;
        private boolean limitSet;

        private Builder(String name) {
            Checks.notNull(name, "policy name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("policy name \"" + name
                        + "\" is invalid: use 1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            this.name = name;
        }

        /** Units per window: at least 1; at most {@link #MAX_EXACT_LIMIT} (exact) or {@link #MAX_LIMIT}. */
        public Builder limit(long limit) {
            if (limitSet) {
                throw new IllegalStateException("limit was already set to " + this.limit);
            }
            if (limit <= 0) {
                throw new IllegalArgumentException("limit of policy " + name + " must be positive: " + limit);
            }
            this.limit = limit;
            this.limitSet = true;
            return this;
        }

        /** The window, between {@link #MIN_WINDOW} and {@link #MAX_WINDOW}, whole microseconds. */
        public Builder window(Duration window) {
            Checks.notSetYet(this.window, "window");
            Checks.notNull(window, "window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window of policy " + name + " must be positive: " + window);
            }
            if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
                throw new IllegalArgumentException("window of policy " + name + " must be between " + MIN_WINDOW
                        + " and " + MAX_WINDOW + ": " + window);
            }
            if (window.getNano() % 1_000 != 0) {
                throw new IllegalArgumentException("window of policy " + name + " must be whole microseconds: " + window);
            }
            this.window = window;
            return this;
        }

        /** The algorithm; {@link #DEFAULT_ALGORITHM} unless set. */
        public Builder algorithm(Algorithm algorithm) {
            Checks.notSetYet(this.algorithm, "algorithm");
            this.algorithm = Checks.notNull(algorithm, "algorithm");
            return this;
        }

        /** What to decide when Redis is unreachable; {@link #DEFAULT_FAILURE_MODE} unless set. */
        public Builder failureMode(FailureMode failureMode) {
            Checks.notSetYet(this.failureMode, "failureMode");
            this.failureMode = Checks.notNull(failureMode, "failureMode");
            return this;
        }

        /** {@link Algorithm#GCRA} only: units admitted at once, at least 1; the limit unless set. */
        public Builder burst(long burst) {
            Checks.notSetYet(this.burst, "burst");
            if (burst <= 0) {
                throw new IllegalArgumentException("burst of policy " + name + " must be positive: " + burst);
            }
            this.burst = burst;
            return this;
        }

        /**
         * The policy.
         *
         * @throws IllegalArgumentException when limit or window is missing, or the values do not fit together
         */
        public RatePolicy build() {
            if (!limitSet) {
                throw new IllegalArgumentException("policy " + name + " needs a limit (units per window)");
            }
            if (window == null) {
                throw new IllegalArgumentException("policy " + name + " needs a window");
            }
            Algorithm a = algorithm == null ? DEFAULT_ALGORITHM : algorithm;
            long max = a == Algorithm.SLIDING_WINDOW ? MAX_EXACT_LIMIT : MAX_LIMIT;
            if (limit > max) {
                throw new IllegalArgumentException("limit of policy " + name + " must be at most " + max + " for "
                        + a.id() + ": " + limit + (a == Algorithm.SLIDING_WINDOW
                        ? " (the exact window keeps one entry per unit; use sliding-counter or gcra for larger limits)" : ""));
            }
            if (burst != null && a != Algorithm.GCRA) {
                throw new IllegalArgumentException("burst applies to gcra only, not to " + a.id() + " (policy " + name + ")");
            }
            if (burst != null && burst > MAX_LIMIT) {
                throw new IllegalArgumentException("burst of policy " + name + " must be at most " + MAX_LIMIT + ": " + burst);
            }
            return new RatePolicy(this);
        }
    }
}
