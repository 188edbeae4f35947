package io.redkit.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.cache.internal.CacheContext;
import io.redkit.cache.internal.CacheEngine;
import io.redkit.cache.internal.KeySpace;
import io.redkit.cache.internal.RedisGuard;
import io.redkit.cache.internal.Tracker;
import io.redkit.cache.internal.TypedCache;
import io.redkit.core.Namespace;
import io.redkit.core.RedisNamespace;
import io.redkit.core.Redkit;
import io.redkit.core.internal.Checks;
import io.redkit.core.time.Ticker;

import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates and owns the named caches of one process on Redkit's {@link Namespace#CACHE} namespace,
 * with what they share: the near-cache tracking connections, the Redis-outage guard, the background
 * refresh executor and the meter registry. Create one per process and close it on shutdown (it does
 * not close the {@link Redkit}).
 *
 * <pre>{@code
 * RedisCacheManager caches = RedisCacheManager.create(redkit);
 * RedisCache<Product> products = caches.cache("products", Product.class,
 *         CacheOptions.builder().ttl(Duration.ofMinutes(5)).build());
 * Optional<Product> p = products.getOrLoad("42", Set.of("table:products"), id -> db.findProduct(id));
 * }</pre>
 *
 * <p>Thread-safe. Creating a manager does not connect; tracking connections open on first use and
 * while Redis is down the caches read through to their loaders.
 */
public final class RedisCacheManager implements AutoCloseable {
    /** Loads allowed at once per manager while Redis is unreachable: 16. */
    public static final int DEFAULT_MAX_CONCURRENT_FALLBACK_LOADS = 16;
    /** After Redis was found unreachable, time before the cache tries it again: 1 second. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);
    /** At most one "Redis unreachable" log line per this interval: 1 minute. */
    public static final Duration DEFAULT_FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);
    /** Client tracking of versions and near caches: on. */
    public static final boolean DEFAULT_TRACKING = true;
    /** Threads of the default background-refresh executor: 2. */
    public static final int DEFAULT_REFRESH_THREADS = 2;
    /** Refreshes the default executor queues before it drops new ones: 1,000. */
    public static final int DEFAULT_REFRESH_QUEUE = 1000;

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final RedisNamespace ns;
    private final CacheContext ctx;
    private final Tracker tracker;
    private final ExecutorService ownExecutor;
    private final ScheduledExecutorService scheduler;
    private final MeterRegistry registry;
    private final Map<String, CacheEngine> engines = new ConcurrentHashMap<>();
    private final Map<String, Type> types = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RedisCacheManager(Builder b) {
        this.ns = b.redkit.namespace(Namespace.CACHE);
        this.registry = b.registry;
        KeySpace keys = new KeySpace(ns);
        Ticker ticker = b.ticker != null ? b.ticker : Ticker.system();
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "redkit-cache-tracking-"));
        this.tracker = new Tracker(ns, keys, b.tracking, ticker, scheduler);
        Executor executor = b.refreshExecutor;
        if (executor == null) {
            ownExecutor = new ThreadPoolExecutor(DEFAULT_REFRESH_THREADS, DEFAULT_REFRESH_THREADS, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(DEFAULT_REFRESH_QUEUE), r -> daemon(r, "redkit-cache-refresh-"),
                    new ThreadPoolExecutor.AbortPolicy());
            executor = ownExecutor;
        } else {
            ownExecutor = null;
        }
        RedisGuard guard = new RedisGuard(ticker, b.retryInterval, b.failureLogInterval);
        this.ctx = new CacheContext(ns, keys, tracker, guard, executor, clock, ticker, b.maxConcurrentFallbackLoads, b.registry);
        scheduler.scheduleWithFixedDelay(ctx::retryPendingBumps, 1, 1, TimeUnit.SECONDS);
        if (b.tracking && ns.isCluster()) {
            scheduler.scheduleWithFixedDelay(tracker::checkTopology, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** A manager with every default. */
    public static RedisCacheManager create(Redkit redkit) {
        return builder(redkit).build();
    }

    /** A builder for a manager on {@code redkit}'s cache namespace. */
    public static Builder builder(Redkit redkit) {
        return new Builder(Checks.notNull(redkit, "redkit"));
    }

    /**
     * The cache named {@code name} holding values of {@code type}. Asking again for the same name
     * returns a cache over the same entries; the options and type must then be the same.
     *
     * @param name 1 to 100 letters, digits, {@code .}, {@code _} or {@code -}
     * @throws IllegalArgumentException for a bad name, or a name already used with other options or type
     */
    public <V> RedisCache<V> cache(String name, Class<V> type, CacheOptions options) {
        return cache(name, (Type) type, options);
    }

    /** {@link #cache(String, Class, CacheOptions)} for a generic type, e.g. {@code List<Product>}. */
    public <V> RedisCache<V> cache(String name, Type type, CacheOptions options) {
        Checks.notNull(type, "type");
        Type known = types.putIfAbsent(String.valueOf(name), type);
        if (known != null && !known.equals(type)) {
            throw new IllegalArgumentException("cache '" + name + "' already holds " + known.getTypeName() + ", not " + type.getTypeName());
        }
        return new TypedCache<>(engine(name, options), type);
    }

    /** A cache with default options. */
    public <V> RedisCache<V> cache(String name, Class<V> type) {
        return cache(name, type, CacheOptions.defaults());
    }

    MeterRegistry registry() {
        return registry;
    }

    CacheEngine engine(String name, CacheOptions options) {
        if (closed) {
            throw new IllegalStateException("the cache manager is closed");
        }
        Checks.notNull(options, "options");
        CacheEngine e = engines.computeIfAbsent(String.valueOf(name), n -> new CacheEngine(ctx, name, options));
        if (e.options() != options && !e.options().toString().equals(options.toString())) {
            throw new IllegalArgumentException("cache '" + name + "' already exists with other options: " + e.options());
        }
        return e;
    }

    /**
     * Makes every value carrying {@code tag}, in every cache on this Redis, a miss: one Redis
     * command, whatever the number of values. While Redis is unreachable it is kept and sent once
     * Redis answers (see {@link #pendingInvalidations()}).
     */
    public void invalidateTag(String tag) {
        CacheEngine.bumpTag(ctx, "*", tag);
    }

    /**
     * Tag invalidations and clears that could not reach Redis (it was unreachable) and wait to be
     * sent. While any wait, no cache of this manager serves anything (near cache or Redis): reads go
     * to their loaders and nothing is written. They are sent every second, and by the first read
     * that finds Redis may be tried again, before that read is served. At most
     * {@value io.redkit.cache.internal.CacheContext#MAX_PENDING_BUMPS} are remembered one by one;
     * beyond, the generation of every cache of this manager is raised once Redis answers (counted
     * here as one more).
     */
    public int pendingInvalidations() {
        return ctx.pendingBumps();
    }

    /** Whether the cache currently believes Redis is reachable. */
    public boolean isRedisAvailable() {
        return !ctx.guard().isDown();
    }

    /** Whether near caches and version copies are currently kept coherent by client tracking. */
    public boolean isTrackingActive() {
        return tracker.isActive();
    }

    /** Closes the tracking connections and the manager's own threads; the caches stop being usable. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        tracker.close();
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** Builds a {@link RedisCacheManager}. Not thread-safe. */
    public static final class Builder {
        private final Redkit redkit;
        private MeterRegistry registry;
        private Executor refreshExecutor;
        private Clock clock;
        private Ticker ticker;
        private boolean tracking = DEFAULT_TRACKING;
        private int maxConcurrentFallbackLoads = DEFAULT_MAX_CONCURRENT_FALLBACK_LOADS;
        private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
        private Duration failureLogInterval = DEFAULT_FAILURE_LOG_INTERVAL;

        private Builder(Redkit redkit) {
            this.redkit = redkit;
        }

        /** Publishes every cache's counters as {@code redkit.cache.*} meters. Default: none. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Checks.notNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Runs background refreshes (soft TTL, early refresh). Default: the manager's own
         * {@value #DEFAULT_REFRESH_THREADS} daemon threads with a queue of {@value #DEFAULT_REFRESH_QUEUE}
         * (refreshes beyond it are dropped; the stale value keeps being served).
         */
        public Builder refreshExecutor(Executor executor) {
            this.refreshExecutor = Checks.notNull(executor, "refreshExecutor");
            return this;
        }

        /** Wall clock for write times, soft TTL and early refresh. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull(clock, "clock");
            return this;
        }

        /** Monotonic time for load durations, lock waits and retry intervals. Default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Checks.notNull(ticker, "ticker");
            return this;
        }

        /**
         * Whether to open client-tracking connections (one per Redis master). With tracking, tag
         * versions are kept in process so a hit costs one round trip, and near caches work; without
         * it, every hit also reads the versions (two round trips) and near caches are never used.
         * Default {@link #DEFAULT_TRACKING}.
         */
        public Builder tracking(boolean tracking) {
            this.tracking = tracking;
            return this;
        }

        /** Loads at once while Redis is unreachable. Default {@link #DEFAULT_MAX_CONCURRENT_FALLBACK_LOADS}. */
        public Builder maxConcurrentFallbackLoads(int loads) {
            this.maxConcurrentFallbackLoads = Checks.positive(loads, "maxConcurrentFallbackLoads");
            return this;
        }

        /** Time the cache leaves Redis alone after finding it unreachable. Default {@link #DEFAULT_RETRY_INTERVAL}. */
        public Builder retryInterval(Duration interval) {
            this.retryInterval = Checks.positive(interval, "retryInterval");
            return this;
        }

        /** Least time between two "Redis unreachable" log lines. Default {@link #DEFAULT_FAILURE_LOG_INTERVAL}. */
        public Builder failureLogInterval(Duration interval) {
            this.failureLogInterval = Checks.positive(interval, "failureLogInterval");
            return this;
        }

        public RedisCacheManager build() {
            return new RedisCacheManager(this);
        }
    }
}
