package io.redkit.cache;

import io.redkit.core.codec.JsonCodec;
import io.redkit.core.codec.RedkitCodec;
import io.redkit.core.internal.Checks;

import java.time.Duration;

/**
 * Immutable settings of one named cache: time to live and its jitter, negative-entry TTL, soft TTL
 * (stale-while-revalidate, stale-if-error), probabilistic early refresh, value size limit,
 * compression, cross-process load lock and near cache. Build with {@link #builder()}, start from
 * {@link #defaults()}, change with {@link #toBuilder()}. Every setter validates its argument and
 * names the bad value in its {@link IllegalArgumentException}; {@link Builder#build()} checks the
 * settings against each other.
 */
public final class CacheOptions {
    /** Time a value lives in Redis before jitter: 10 minutes. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    /** Fraction of the TTL taken off at random per write (0.1: a 10-minute TTL becomes 9 to 10 minutes). */
    public static final double DEFAULT_JITTER = 0.1;
    /** Time a loader's "no such value" answer is cached: 30 seconds. */
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);
    /** Soft TTL: {@link Duration#ZERO}, i.e. off (values are fresh until they expire). */
    public static final Duration DEFAULT_SOFT_TTL = Duration.ZERO;
    /** XFetch early-refresh factor: 0, i.e. off. 1.0 is the usual setting when on. */
    public static final double DEFAULT_EARLY_REFRESH_BETA = 0.0;
    /** Largest value accepted, encoded and before compression: 512 KiB. */
    public static final int DEFAULT_MAX_VALUE_SIZE = 512 * 1024;
    /** Encoded values at least this large are LZ4-compressed (when that makes them smaller): 1 KiB. */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;
    /** How long a cross-process load lock lives if its holder dies: 10 seconds. */
    public static final Duration DEFAULT_LOCK_TTL = Duration.ofSeconds(10);
    /** How long a caller waits for another process's load before loading itself: 5 seconds. */
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(5);
    /** Near cache: off. */
    public static final boolean DEFAULT_NEAR_CACHE = false;
    /** Most entries one near cache holds: 10,000. */
    public static final long DEFAULT_NEAR_CACHE_MAX_ENTRIES = 10_000;

    private static final CacheOptions DEFAULTS = new Builder().build();

    private final Duration ttl;
    private final double jitter;
    private final Duration negativeTtl;
    private final Duration softTtl;
    private final double earlyRefreshBeta;
    private final int maxValueSize;
    private final int compressionThreshold;
    private final Duration lockTtl;
    private final Duration lockWait;
    private final boolean nearCache;
    private final long nearCacheMaxEntries;
    private final RedkitCodec codec;

    private CacheOptions(Builder b) {
        this.ttl = b.ttl;
        this.jitter = b.jitter;
        this.negativeTtl = b.negativeTtl;
        this.softTtl = b.softTtl;
        this.earlyRefreshBeta = b.earlyRefreshBeta;
        this.maxValueSize = b.maxValueSize;
        this.compressionThreshold = b.compressionThreshold;
        this.lockTtl = b.lockTtl;
        this.lockWait = b.lockWait;
        this.nearCache = b.nearCache;
        this.nearCacheMaxEntries = b.nearCacheMaxEntries;
        this.codec = b.codec != null ? b.codec : JsonCodec.create().withMaxEncodedSize(Integer.MAX_VALUE);
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options with every default. */
    public static CacheOptions defaults() {
        return DEFAULTS;
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ttl = ttl;
        b.jitter = jitter;
        b.negativeTtl = negativeTtl;
        b.softTtl = softTtl;
        b.earlyRefreshBeta = earlyRefreshBeta;
        b.maxValueSize = maxValueSize;
        b.compressionThreshold = compressionThreshold;
        b.lockTtl = lockTtl;
        b.lockWait = lockWait;
        b.nearCache = nearCache;
        b.nearCacheMaxEntries = nearCacheMaxEntries;
        b.codec = codec;
        return b;
    }

    /** See {@link Builder#ttl(Duration)}. */
    public Duration ttl() { return ttl; }
    /** See {@link Builder#jitter(double)}. */
    public double jitter() { return jitter; }
    /** See {@link Builder#negativeTtl(Duration)}. */
    public Duration negativeTtl() { return negativeTtl; }
    /** See {@link Builder#softTtl(Duration)}; {@link Duration#ZERO} when off. */
    public Duration softTtl() { return softTtl; }
    /** See {@link Builder#earlyRefreshBeta(double)}. */
    public double earlyRefreshBeta() { return earlyRefreshBeta; }
    /** See {@link Builder#maxValueSize(int)}. */
    public int maxValueSize() { return maxValueSize; }
    /** See {@link Builder#compressionThreshold(int)}. */
    public int compressionThreshold() { return compressionThreshold; }
    /** See {@link Builder#lockTtl(Duration)}. */
    public Duration lockTtl() { return lockTtl; }
    /** See {@link Builder#lockWait(Duration)}. */
    public Duration lockWait() { return lockWait; }
    /** See {@link Builder#nearCache(boolean)}. */
    public boolean nearCache() { return nearCache; }
    /** See {@link Builder#nearCacheMaxEntries(long)}. */
    public long nearCacheMaxEntries() { return nearCacheMaxEntries; }
    /** See {@link Builder#codec(RedkitCodec)}. */
    public RedkitCodec codec() { return codec; }

    @Override
    public String toString() {
        return "CacheOptions{ttl=" + ttl + ", jitter=" + jitter + ", negativeTtl=" + negativeTtl + ", softTtl=" + softTtl
                + ", earlyRefreshBeta=" + earlyRefreshBeta + ", maxValueSize=" + maxValueSize
                + ", compressionThreshold=" + compressionThreshold + ", lockTtl=" + lockTtl + ", lockWait=" + lockWait
                + ", nearCache=" + nearCache + ", nearCacheMaxEntries=" + nearCacheMaxEntries + "}";
    }

    /** Builds {@link CacheOptions}. Not thread-safe. */
    public static final class Builder {
        private Duration ttl = DEFAULT_TTL;
        private double jitter = DEFAULT_JITTER;
        private Duration negativeTtl = DEFAULT_NEGATIVE_TTL;
        private Duration softTtl = DEFAULT_SOFT_TTL;
        private double earlyRefreshBeta = DEFAULT_EARLY_REFRESH_BETA;
        private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
        private int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
        private Duration lockTtl = DEFAULT_LOCK_TTL;
        private Duration lockWait = DEFAULT_LOCK_WAIT;
        private boolean nearCache = DEFAULT_NEAR_CACHE;
        private long nearCacheMaxEntries = DEFAULT_NEAR_CACHE_MAX_ENTRIES;
        private RedkitCodec codec;

        private Builder() {}

        /** How long a value lives in Redis, before jitter; at least 1 ms. Default {@link #DEFAULT_TTL}. */
        public Builder ttl(Duration ttl) {
            Checks.positive(ttl, "ttl");
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms: " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Fraction of the TTL removed at random from each write, so keys written together do not
         * expire together: the effective TTL is uniform in {@code [ttl * (1 - jitter), ttl]}. From 0
         * (none) to below 1. Default {@link #DEFAULT_JITTER}.
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter < 1)) {
                throw new IllegalArgumentException("jitter must be at least 0 and below 1: " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * How long a loader's {@code null} ("no such value") is cached; {@link Duration#ZERO} caches
         * nothing for it. Default {@link #DEFAULT_NEGATIVE_TTL}.
         */
        public Builder negativeTtl(Duration negativeTtl) {
            this.negativeTtl = Checks.notNegative(negativeTtl, "negativeTtl");
            return this;
        }

        /**
         * Age after which a value is stale but still served while one caller reloads it in the
         * background (stale-while-revalidate); if that reload fails, the stale value keeps being
         * served until the TTL ends (stale-if-error). Must be below the TTL; {@link Duration#ZERO} is
         * off. Default {@link #DEFAULT_SOFT_TTL}.
         */
        public Builder softTtl(Duration softTtl) {
            this.softTtl = Checks.notNegative(softTtl, "softTtl");
            return this;
        }

        /**
         * XFetch factor for probabilistic early refresh: a hit triggers a background reload with a
         * probability that grows as expiry nears and with the time the last load took; higher is
         * earlier. 0 is off, 1.0 the usual value. Default {@link #DEFAULT_EARLY_REFRESH_BETA}.
         */
        public Builder earlyRefreshBeta(double beta) {
            if (!(beta >= 0 && beta <= 100)) {
                throw new IllegalArgumentException("earlyRefreshBeta must be between 0 and 100: " + beta);
            }
            this.earlyRefreshBeta = beta;
            return this;
        }

        /**
         * Largest encoded value (before compression) the cache stores. {@code put} of a larger value
         * throws {@link IllegalArgumentException} and writes nothing; a loaded value that is larger is
         * returned but not cached. Default {@link #DEFAULT_MAX_VALUE_SIZE}.
         */
        public Builder maxValueSize(int bytes) {
            Checks.inRange(bytes, 1, 512 * 1024 * 1024, "maxValueSize");
            this.maxValueSize = bytes;
            return this;
        }

        /**
         * Encoded values of at least this many bytes are stored LZ4-compressed, when that is smaller.
         * {@link Integer#MAX_VALUE} turns compression off. Default {@link #DEFAULT_COMPRESSION_THRESHOLD}.
         */
        public Builder compressionThreshold(int bytes) {
            Checks.positive(bytes, "compressionThreshold");
            this.compressionThreshold = bytes;
            return this;
        }

        /**
         * Lifetime of the Redis lock that makes one process load a missing key while the others
         * wait; should exceed the slowest load. Default {@link #DEFAULT_LOCK_TTL}.
         */
        public Builder lockTtl(Duration lockTtl) {
            this.lockTtl = Checks.positive(lockTtl, "lockTtl");
            return this;
        }

        /**
         * How long a caller waits for another process to finish loading a key before it loads the
         * key itself; {@link Duration#ZERO} never waits. Default {@link #DEFAULT_LOCK_WAIT}.
         */
        public Builder lockWait(Duration lockWait) {
            this.lockWait = Checks.notNegative(lockWait, "lockWait");
            return this;
        }

        /**
         * Whether hits are also kept in process (Caffeine), kept coherent with Redis by client
         * tracking: a write by any client evicts the near copy, typically within a millisecond.
         * Changing this setting changes where the cache keeps its values: an existing cache starts
         * empty. Default {@link #DEFAULT_NEAR_CACHE}.
         */
        public Builder nearCache(boolean nearCache) {
            this.nearCache = nearCache;
            return this;
        }

        /** Most entries kept in the near cache. Default {@link #DEFAULT_NEAR_CACHE_MAX_ENTRIES}. */
        public Builder nearCacheMaxEntries(long entries) {
            this.nearCacheMaxEntries = Checks.positive(entries, "nearCacheMaxEntries");
            return this;
        }

        /**
         * How values become bytes. Default: JSON ({@link JsonCodec}), with the size limit left to
         * {@link #maxValueSize(int)}.
         */
        public Builder codec(RedkitCodec codec) {
            this.codec = Checks.notNull(codec, "codec");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when the soft TTL is not below the TTL
         */
        public CacheOptions build() {
            if (!softTtl.isZero() && softTtl.compareTo(ttl) >= 0) {
                throw new IllegalArgumentException("softTtl must be below ttl (" + ttl + "): " + softTtl);
            }
            return new CacheOptions(this);
        }
    }
}
