package io.redkit.ratelimit;

import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.Namespace;
import io.redkit.core.internal.Checks;
import io.redkit.core.time.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link RateLimiter} runs: where its keys live, its local caches and how it behaves while
 * Redis is away. Immutable; {@link #builder()}, {@link #defaults()}, {@link #toBuilder()}. Each
 * builder option may be set once.
 */
public final class RateLimiterOptions {
    /**
     * The namespace of the state keys: {@link Namespace#SESSION}, whose Redis should not evict
     * (a cache's LRU would silently forget windows and admit more than the limit).
     */
    public static final Namespace DEFAULT_NAMESPACE = Namespace.SESSION;
    /**
     * Keys remembered as denied until an instant, answered without a round trip: 10,000. 0 turns
     * the cache off.
     */
    public static final int DEFAULT_DENIED_CACHE_SIZE = 10_000;
    /** Keys the in-process fallback of {@link FailureMode#LOCAL} policies keeps: 100,000, least recently used evicted. */
    public static final int DEFAULT_LOCAL_FALLBACK_MAX_KEYS = 100_000;
    /** The retry-after of a {@link Decision.Reason#FAIL_CLOSED} decision: 1 s. */
    public static final Duration DEFAULT_FAIL_CLOSED_RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * After a check finds Redis unreachable, further checks skip Redis (and decide by failure
     * mode at once) for this long: 500 ms. Keeps every request from waiting the command timeout
     * while Redis hangs.
     */
    public static final Duration DEFAULT_UNAVAILABLE_BACKOFF = Duration.ofMillis(500);
    /** Failure-mode decisions are logged at most once per policy per this interval: 1 min. */
    public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofMinutes(1);
    /**
     * How often {@linkplain RateLimiter#recordDenial recorded denials}, counted locally, are sent
     * to Redis in the background: 1 s.
     */
    public static final Duration DEFAULT_DENIAL_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** The longest {@link Builder#denialFlushInterval}: 1 min (rankings are per clock hour). */
    public static final Duration MAX_DENIAL_FLUSH_INTERVAL = Duration.ofMinutes(1);

    private static final RateLimiterOptions DEFAULTS = builder().build();

    private final Namespace namespace;
    private final int deniedCacheSize;
    private final int localFallbackMaxKeys;
    private final Duration failClosedRetryAfter;
    private final Duration unavailableBackoff;
    private final Duration logInterval;
    private final Clock clock;
    private final Ticker ticker;
    private final RateLimitListener listener;
    private final MeterRegistry meterRegistry;
    private final boolean coalesceChecks;
    private final Duration denialFlushInterval;
    private final Clock localClock;
    private final boolean localClockSet;

    private RateLimiterOptions(Builder b) {
        this.namespace = b.namespace == null ? DEFAULT_NAMESPACE : b.namespace;
        this.deniedCacheSize = b.deniedCacheSize == null ? DEFAULT_DENIED_CACHE_SIZE : b.deniedCacheSize;
        this.localFallbackMaxKeys = b.localFallbackMaxKeys == null ? DEFAULT_LOCAL_FALLBACK_MAX_KEYS : b.localFallbackMaxKeys;
        this.failClosedRetryAfter = b.failClosedRetryAfter == null ? DEFAULT_FAIL_CLOSED_RETRY_AFTER : b.failClosedRetryAfter;
        this.unavailableBackoff = b.unavailableBackoff == null ? DEFAULT_UNAVAILABLE_BACKOFF : b.unavailableBackoff;
        this.logInterval = b.logInterval == null ? DEFAULT_LOG_INTERVAL : b.logInterval;
        this.clock = b.clock;
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
        this.listener = b.listener == null ? new RateLimitListener() {} : b.listener;
        this.meterRegistry = b.meterRegistry;
        this.coalesceChecks = b.coalesceChecks == null || b.coalesceChecks;
        this.denialFlushInterval = b.denialFlushInterval == null ? DEFAULT_DENIAL_FLUSH_INTERVAL : b.denialFlushInterval;
        this.localClock = b.localClock != null ? b.localClock : b.clock != null ? b.clock : Clock.systemUTC();
        this.localClockSet = b.localClock != null;
    }

    /** The defaults: every {@code DEFAULT_*} constant, Redis server time, no listener, no metrics. */
    public static RateLimiterOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values, each of which may be replaced. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.namespace = namespace;
        b.deniedCacheSize = deniedCacheSize;
        b.localFallbackMaxKeys = localFallbackMaxKeys;
        b.failClosedRetryAfter = failClosedRetryAfter;
        b.unavailableBackoff = unavailableBackoff;
        b.logInterval = logInterval;
        b.clock = clock;
        b.ticker = ticker;
        b.listener = listener;
        b.meterRegistry = meterRegistry;
        b.coalesceChecks = coalesceChecks;
        b.denialFlushInterval = denialFlushInterval;
        b.localClock = localClockSet ? localClock : null;
        b.fresh = false;
        return b;
    }

    public Namespace namespace() {
        return namespace;
    }

    public int deniedCacheSize() {
        return deniedCacheSize;
    }

    public int localFallbackMaxKeys() {
        return localFallbackMaxKeys;
    }

    public Duration failClosedRetryAfter() {
        return failClosedRetryAfter;
    }

    public Duration unavailableBackoff() {
        return unavailableBackoff;
    }

    public Duration logInterval() {
        return logInterval;
    }

    /**
     * The clock whose time is sent with each check instead of reading Redis {@code TIME}; empty
     * (the default) means the Redis server's clock, which is what several processes must share.
     */
    public Optional<Clock> clock() {
        return Optional.ofNullable(clock);
    }

    /**
     * The wall clock of what this process decides alone: the {@link FailureMode#LOCAL} fallback
     * and the clock hour of the denial rankings. Never the time of a check against Redis, which is
     * Redis {@code TIME} (or {@link #clock()} when set). {@link #clock()} when that is set and this
     * is not, else the system clock.
     */
    public Clock localClock() {
        return localClock;
    }

    /** The monotonic time source of the local caches and the unavailability backoff. */
    public Ticker ticker() {
        return ticker;
    }

    public RateLimitListener listener() {
        return listener;
    }

    /** Where failure-mode decisions are counted ({@code redkit.ratelimit.redis.unavailable}); empty: nowhere. */
    public Optional<MeterRegistry> meterRegistry() {
        return Optional.ofNullable(meterRegistry);
    }

    /**
     * Whether concurrent single-limit checks share round trips (the default): checks go through a
     * few lanes (standalone: 4 chosen by key; Cluster: one per hash slot); while one call of a lane
     * is in flight, further checks on it wait and then leave together, up to 64 in one call, which
     * Redis runs one after the other exactly as separate calls. A busy limiter then costs one
     * command per batch instead of one per check; one that is not busy sees no difference (the
     * first check on an idle lane leaves at once). A check that fails in Redis fails alone.
     * Multi-limit checks and {@link RateLimiter#inspect} always go alone.
     */
    public boolean coalesceChecks() {
        return coalesceChecks;
    }

    /**
     * How often denials counted by {@link RateLimiter#recordDenial} are sent to Redis, by one
     * background thread of the limiter (started by the first recording; {@link RateLimiter#close()}
     * sends what is left). A denial reaches {@link RateLimiter#topDenied} within about this long.
     */
    public Duration denialFlushInterval() {
        return denialFlushInterval;
    }

    /** Builds {@link RateLimiterOptions}. */
    public static final class Builder {
        private Namespace namespace;
        private Integer deniedCacheSize;
        private Integer localFallbackMaxKeys;
        private Duration failClosedRetryAfter;
        private Duration unavailableBackoff;
        private Duration logInterval;
        private Clock clock;
        private Ticker ticker;
        private RateLimitListener listener;
        private MeterRegistry meterRegistry;
        private Boolean coalesceChecks;
        private Duration denialFlushInterval;
        private Clock localClock;
        private boolean fresh = true;

        private Builder() {}

        private void once(Object current, String name) {
            if (fresh) {
                Checks.notSetYet(current, name);
            }
        }

        /** The namespace of the state keys; {@link #DEFAULT_NAMESPACE} unless set. */
        public Builder namespace(Namespace namespace) {
            once(this.namespace, "namespace");
            this.namespace = Checks.notNull(namespace, "namespace");
            return this;
        }

        /** Size of the denied-keys cache, 0 (off) to 1,000,000; {@link #DEFAULT_DENIED_CACHE_SIZE} unless set. */
        public Builder deniedCacheSize(int size) {
            once(this.deniedCacheSize, "deniedCacheSize");
            this.deniedCacheSize = Checks.inRange(size, 0, 1_000_000, "deniedCacheSize");
            return this;
        }

        /** Keys of the in-process fallback, 1 to 10,000,000; {@link #DEFAULT_LOCAL_FALLBACK_MAX_KEYS} unless set. */
        public Builder localFallbackMaxKeys(int max) {
            once(this.localFallbackMaxKeys, "localFallbackMaxKeys");
            this.localFallbackMaxKeys = Checks.inRange(max, 1, 10_000_000, "localFallbackMaxKeys");
            return this;
        }

        /** Retry-after of fail-closed denials, positive; {@link #DEFAULT_FAIL_CLOSED_RETRY_AFTER} unless set. */
        public Builder failClosedRetryAfter(Duration d) {
            once(this.failClosedRetryAfter, "failClosedRetryAfter");
            this.failClosedRetryAfter = Checks.positive(d, "failClosedRetryAfter");
            return this;
        }

        /** How long to skip Redis after it was found unreachable, zero or more; {@link #DEFAULT_UNAVAILABLE_BACKOFF} unless set. */
        public Builder unavailableBackoff(Duration d) {
            once(this.unavailableBackoff, "unavailableBackoff");
            this.unavailableBackoff = Checks.notNegative(d, "unavailableBackoff");
            return this;
        }

        /** Minimum interval between two failure-mode log lines of one policy; {@link #DEFAULT_LOG_INTERVAL} unless set. */
        public Builder logInterval(Duration d) {
            once(this.logInterval, "logInterval");
            this.logInterval = Checks.positive(d, "logInterval");
            return this;
        }

        /**
         * Sends this clock's time with each check instead of using Redis {@code TIME}. For tests and
         * single-process use only: processes with different clocks would disagree. Also the
         * {@link #localClock(Clock) local clock} unless that is set.
         */
        public Builder clock(Clock clock) {
            once(this.clock, "clock");
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /**
         * See {@link RateLimiterOptions#localClock()}: the wall clock of the local fallback and of
         * the denial rankings' hours, never of a check against Redis; {@link #clock(Clock)}, else
         * the system clock, unless set.
         */
        public Builder localClock(Clock clock) {
            once(this.localClock, "localClock");
            this.localClock = Checks.notNull(clock, "localClock");
            return this;
        }

        /** The monotonic time of local caches and backoff; {@link Ticker#system()} unless set. */
        public Builder ticker(Ticker ticker) {
            once(this.ticker, "ticker");
            this.ticker = Checks.notNull(ticker, "ticker");
            return this;
        }

        /** Receives events; none unless set. */
        public Builder listener(RateLimitListener listener) {
            once(this.listener, "listener");
            this.listener = Checks.notNull(listener, "listener");
            return this;
        }

        /** Counts failure-mode decisions in {@code registry}; none unless set. */
        public Builder meterRegistry(MeterRegistry registry) {
            once(this.meterRegistry, "meterRegistry");
            this.meterRegistry = Checks.notNull(registry, "meterRegistry");
            return this;
        }

        /** See {@link RateLimiterOptions#coalesceChecks()}; {@code true} unless set. */
        public Builder coalesceChecks(boolean coalesce) {
            once(this.coalesceChecks, "coalesceChecks");
            this.coalesceChecks = coalesce;
            return this;
        }

        /**
         * See {@link RateLimiterOptions#denialFlushInterval()}: positive, at most
         * {@link #MAX_DENIAL_FLUSH_INTERVAL}; {@link #DEFAULT_DENIAL_FLUSH_INTERVAL} unless set.
         */
        public Builder denialFlushInterval(Duration d) {
            once(this.denialFlushInterval, "denialFlushInterval");
            Checks.positive(d, "denialFlushInterval");
            if (d.compareTo(MAX_DENIAL_FLUSH_INTERVAL) > 0 || d.toMillis() == 0) {
                throw new IllegalArgumentException("denialFlushInterval must be from 1 ms to " + MAX_DENIAL_FLUSH_INTERVAL + ": " + d);
            }
            this.denialFlushInterval = d;
            return this;
        }

        public RateLimiterOptions build() {
            return new RateLimiterOptions(this);
        }
    }
}
