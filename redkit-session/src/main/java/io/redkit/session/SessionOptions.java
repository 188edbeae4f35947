package io.redkit.session;

import io.redkit.core.codec.JsonCodec;
import io.redkit.core.codec.RedkitCodec;
import io.redkit.core.internal.Checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Immutable settings of a {@link SessionStore}. Build with {@link #builder()}; every option has a
 * default, named {@code DEFAULT_*}. Setting an option twice on one builder is an error.
 *
 * <pre>{@code
 * SessionOptions options = SessionOptions.builder()
 *         .idleTimeout(Duration.ofMinutes(15))
 *         .maxSessionsPerUser(5)
 *         .build();
 * }</pre>
 */
public final class SessionOptions {
    /** Sliding idle timeout: 30 minutes. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** Absolute timeout from creation: 12 hours. */
    public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofHours(12);
    /** Last access is written at most once per this interval: 60 seconds. */
    public static final Duration DEFAULT_TOUCH_INTERVAL = Duration.ofSeconds(60);
    /** How long an id replaced by a {@linkplain Rotation#ROUTINE routine rotation} keeps resolving to the session: 5 seconds. */
    public static final Duration DEFAULT_ROTATION_GRACE = Duration.ofSeconds(5);
    /** Sessions per user: 0, no limit. */
    public static final int DEFAULT_MAX_SESSIONS_PER_USER = 0;
    /** Approximate length the event stream is trimmed to: 10,000 entries. */
    public static final int DEFAULT_EVENT_STREAM_MAX_LENGTH = 10_000;
    /** Keys the sweeper asks {@code SCAN} for per step: 1,000. */
    public static final int DEFAULT_SWEEP_SCAN_COUNT = 1_000;

    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final Duration touchInterval;
    private final Duration rotationGrace;
    private final int maxSessionsPerUser;
    private final int eventStreamMaxLength;
    private final int sweepScanCount;
    private final RedkitCodec codec;
    private final Clock clock;

    private SessionOptions(Builder b) {
        this.idleTimeout = b.idleTimeout != null ? b.idleTimeout : DEFAULT_IDLE_TIMEOUT;
        this.absoluteTimeout = b.absoluteTimeout != null ? b.absoluteTimeout : DEFAULT_ABSOLUTE_TIMEOUT;
        this.touchInterval = b.touchInterval != null ? b.touchInterval : DEFAULT_TOUCH_INTERVAL;
        this.rotationGrace = b.rotationGrace != null ? b.rotationGrace : DEFAULT_ROTATION_GRACE;
        this.maxSessionsPerUser = b.maxSessionsPerUser != null ? b.maxSessionsPerUser : DEFAULT_MAX_SESSIONS_PER_USER;
        this.eventStreamMaxLength = b.eventStreamMaxLength != null ? b.eventStreamMaxLength : DEFAULT_EVENT_STREAM_MAX_LENGTH;
        this.sweepScanCount = b.sweepScanCount != null ? b.sweepScanCount : DEFAULT_SWEEP_SCAN_COUNT;
        this.codec = b.codec != null ? b.codec : JsonCodec.create();
        this.clock = b.clock;
        if (idleTimeout.compareTo(absoluteTimeout) > 0) {
            throw new IllegalArgumentException("idleTimeout must not exceed absoluteTimeout: " + idleTimeout + " > " + absoluteTimeout);
        }
        if (touchInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("touchInterval must be shorter than idleTimeout: " + touchInterval
                    + " >= " + idleTimeout);
        }
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static SessionOptions defaults() {
        return builder().build();
    }

    /** A builder starting from these options (each may then be set once). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.idleTimeout = idleTimeout;
        b.absoluteTimeout = absoluteTimeout;
        b.touchInterval = touchInterval;
        b.rotationGrace = rotationGrace;
        b.maxSessionsPerUser = maxSessionsPerUser;
        b.eventStreamMaxLength = eventStreamMaxLength;
        b.sweepScanCount = sweepScanCount;
        b.codec = codec;
        b.clock = clock;
        b.fromExisting = true;
        return b;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration absoluteTimeout() {
        return absoluteTimeout;
    }

    public Duration touchInterval() {
        return touchInterval;
    }

    public Duration rotationGrace() {
        return rotationGrace;
    }

    public int maxSessionsPerUser() {
        return maxSessionsPerUser;
    }

    public int eventStreamMaxLength() {
        return eventStreamMaxLength;
    }

    public int sweepScanCount() {
        return sweepScanCount;
    }

    public RedkitCodec codec() {
        return codec;
    }

    /** The test clock, when one was set; empty means the Redis server's {@code TIME}. */
    public Optional<Clock> clock() {
        return Optional.ofNullable(clock);
    }

    @Override
    public String toString() {
        return "SessionOptions{idleTimeout=" + idleTimeout + ", absoluteTimeout=" + absoluteTimeout + ", touchInterval="
                + touchInterval + ", rotationGrace=" + rotationGrace + ", maxSessionsPerUser=" + maxSessionsPerUser
                + ", eventStreamMaxLength=" + eventStreamMaxLength + ", sweepScanCount=" + sweepScanCount
                + (clock != null ? ", clock=" + clock : "") + "}";
    }

    /** Builds {@link SessionOptions}; not thread-safe. */
    public static final class Builder {
        private Duration idleTimeout;
        private Duration absoluteTimeout;
        private Duration touchInterval;
        private Duration rotationGrace;
        private Integer maxSessionsPerUser;
        private Integer eventStreamMaxLength;
        private Integer sweepScanCount;
        private RedkitCodec codec;
        private Clock clock;
        private boolean fromExisting;

        private Builder() {}

        private void once(Object current, String name) {
            if (!fromExisting) {
                Checks.notSetYet(current, name);
            }
        }

        /** Sliding idle timeout, positive; default {@link #DEFAULT_IDLE_TIMEOUT}. Millisecond precision. */
        public Builder idleTimeout(Duration idleTimeout) {
            once(this.idleTimeout, "idleTimeout");
            this.idleTimeout = atLeastOneMilli(idleTimeout, "idleTimeout");
            return this;
        }

        /** Absolute timeout from creation, at least the idle timeout; default {@link #DEFAULT_ABSOLUTE_TIMEOUT}. */
        public Builder absoluteTimeout(Duration absoluteTimeout) {
            once(this.absoluteTimeout, "absoluteTimeout");
            this.absoluteTimeout = atLeastOneMilli(absoluteTimeout, "absoluteTimeout");
            return this;
        }

        /**
         * Last access is written at most once per this interval (0 writes it on every load); shorter
         * than the idle timeout. The idle timeout is measured from the last written access, so a
         * session may expire up to this much earlier than idle timeout after the very last request.
         * Default {@link #DEFAULT_TOUCH_INTERVAL}.
         */
        public Builder touchInterval(Duration touchInterval) {
            once(this.touchInterval, "touchInterval");
            this.touchInterval = Checks.notNegative(touchInterval, "touchInterval");
            return this;
        }

        /**
         * How long an id replaced by a {@linkplain Rotation#ROUTINE routine rotation} of a logged-in
         * session still resolves to the session (never to the new id), so requests already in flight
         * are not logged out; 0 makes the old id invalid at once there too. Never applies to a login
         * or another {@linkplain Rotation#PRIVILEGE_CHANGE privilege change}: their old id stops at
         * once whatever this is. At most one minute. Default {@link #DEFAULT_ROTATION_GRACE}.
         */
        public Builder rotationGrace(Duration rotationGrace) {
            once(this.rotationGrace, "rotationGrace");
            Checks.notNegative(rotationGrace, "rotationGrace");
            if (rotationGrace.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("rotationGrace must be at most 1 minute: " + rotationGrace);
            }
            this.rotationGrace = rotationGrace;
            return this;
        }

        /**
         * Most sessions one user may have; a login beyond it evicts the sessions that would expire
         * first (the least recently used). 0 for no limit, at most 10,000. Default
         * {@link #DEFAULT_MAX_SESSIONS_PER_USER}.
         */
        public Builder maxSessionsPerUser(int maxSessionsPerUser) {
            once(this.maxSessionsPerUser, "maxSessionsPerUser");
            this.maxSessionsPerUser = Checks.inRange(maxSessionsPerUser, 0, 10_000, "maxSessionsPerUser");
            return this;
        }

        /**
         * Approximate length of the capped event stream; 0 writes no stream. At most 10,000,000.
         * Default {@link #DEFAULT_EVENT_STREAM_MAX_LENGTH}.
         */
        public Builder eventStreamMaxLength(int eventStreamMaxLength) {
            once(this.eventStreamMaxLength, "eventStreamMaxLength");
            this.eventStreamMaxLength = Checks.inRange(eventStreamMaxLength, 0, 10_000_000, "eventStreamMaxLength");
            return this;
        }

        /** {@code SCAN COUNT} of the sweeper, 10 to 100,000; default {@link #DEFAULT_SWEEP_SCAN_COUNT}. */
        public Builder sweepScanCount(int sweepScanCount) {
            once(this.sweepScanCount, "sweepScanCount");
            this.sweepScanCount = Checks.inRange(sweepScanCount, 10, 100_000, "sweepScanCount");
            return this;
        }

        /** Codec of attribute values; default {@link JsonCodec#create()}. */
        public Builder codec(RedkitCodec codec) {
            once(this.codec, "codec");
            this.codec = Checks.notNull(codec, "codec");
            return this;
        }

        /**
         * For tests: expiry decisions use this clock (passed to every script) instead of the Redis
         * server's {@code TIME}. Redis still expires keys by its own clock. Default: none.
         */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when the idle timeout exceeds the absolute timeout, or the
         *                                  touch interval is not shorter than the idle timeout
         */
        public SessionOptions build() {
            return new SessionOptions(this);
        }

        private static Duration atLeastOneMilli(Duration d, String name) {
            Checks.positive(d, name);
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException(name + " must be at least 1ms: " + d);
            }
            return d;
        }
    }
}
