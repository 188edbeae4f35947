package io.redkit.cache.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.time.Ticker;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.RedkitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** What every cache of one manager shares. */
public final class CacheContext {
    static final RedisScript BUMP = RedisScript.load(CacheContext.class, "bump-version.lua");
    static final RedisScript INIT = RedisScript.load(CacheContext.class, "init-version.lua");
    static final RedisScript UNLOCK = RedisScript.load(CacheContext.class, "unlock.lua");

    final RedisNamespace ns;
    final KeySpace keys;
    final Tracker tracker;
    final RedisGuard guard;
    final Executor refreshExecutor;
    final Clock clock;
    final Ticker ticker;
    final Semaphore fallbackLoads;
    final MeterRegistry registry;
    /** Version keys whose bump failed while Redis was unreachable, retried until they succeed. */
    private final Set<String> pendingBumps = ConcurrentHashMap.newKeySet();
    /** Invalidations not remembered because {@link #MAX_PENDING_BUMPS} were waiting already. */
    private final AtomicLong dropped = new AtomicLong();
    /** The caches of this manager (their generations are raised when invalidations were dropped). */
    private final Set<String> cacheNames = ConcurrentHashMap.newKeySet();
    private final ReentrantLock retrying = new ReentrantLock();
    /**
     * Most pending bumps remembered; beyond, further ones are not kept one by one: once Redis answers,
     * the generation of every cache of the manager is raised instead (everything it cached is a miss).
     */
    public static final int MAX_PENDING_BUMPS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger("io.redkit.cache");

    public CacheContext(RedisNamespace ns, KeySpace keys, Tracker tracker, RedisGuard guard, Executor refreshExecutor,
                        Clock clock, Ticker ticker, int maxFallbackLoads, MeterRegistry registry) {
        this.ns = ns;
        this.keys = keys;
        this.tracker = tracker;
        this.guard = guard;
        this.refreshExecutor = refreshExecutor;
        this.clock = clock;
        this.ticker = ticker;
        this.fallbackLoads = new Semaphore(maxFallbackLoads);
        this.registry = registry;
    }

    /**
     * Raises a version key (a tag, or a cache's generation) in Redis; while Redis is unreachable the
     * bump is remembered and retried. Never throws for Redis failures.
     *
     * @return whether Redis applied it now
     */
    public boolean bump(String cacheName, String versionKey, String operation) {
        tracker.invalidateLocally(versionKey);
        if (!guard.available()) {
            guard.skipped();
            addPendingBump(versionKey);
            LOG.warn("cache '{}': Redis is unreachable; {} of {} is postponed until it is back", cacheName, operation, versionKey);
            return false;
        }
        try {
            ns.evalSync(BUMP, ScriptOutputType.INTEGER, new String[]{versionKey});
            tracker.invalidateLocally(versionKey);
            guard.succeeded();
            return true;
        } catch (RedkitException e) {
            guard.failed(cacheName, operation, e);
            addPendingBump(versionKey);
            return false;
        }
    }

    /** Remembers a version bump (tag invalidation or clear) that could not reach Redis. */
    void addPendingBump(String versionKey) {
        if (pendingBumps.size() >= MAX_PENDING_BUMPS && !pendingBumps.contains(versionKey)) {
            if (dropped.getAndIncrement() == 0) {
                LOG.error("cache: {} invalidations are waiting for Redis already; once it answers, every cache of this "
                        + "manager is cleared (generation raised) instead of replaying them", MAX_PENDING_BUMPS);
            }
            return;
        }
        pendingBumps.add(versionKey);
    }

    /** Invalidations waiting for Redis; after an overflow of the bound, one more for the clear of every cache. */
    public int pendingBumps() {
        return pendingBumps.size() + (dropped.get() > 0 ? 1 : 0);
    }

    /** Registers a cache of this manager, whose generation an overflow of the pending bound raises. */
    void registerCache(String cacheName) {
        cacheNames.add(cacheName);
    }

    /**
     * Whether values may be served from Redis or from local copies now: only when no invalidation is
     * waiting to reach Redis. When some wait and Redis may be tried, sends them first (on this thread,
     * one thread at a time; the others answer {@code false} meanwhile). Cheap when nothing waits.
     */
    public boolean mayServe() {
        if (pendingBumps.isEmpty() && dropped.get() == 0) {
            return true;
        }
        if (!guard.available() || !retrying.tryLock()) {
            return false;
        }
        try {
            retryPendingBumps();
        } finally {
            retrying.unlock();
        }
        return pendingBumps.isEmpty() && dropped.get() == 0;
    }

    /**
     * Sends the invalidations that failed while Redis was unreachable, once it is reachable again.
     * Called periodically by the manager and by {@link #mayServe()}; stops at the first failure.
     */
    public void retryPendingBumps() {
        if ((pendingBumps.isEmpty() && dropped.get() == 0) || !guard.available()) {
            return;
        }
        retrying.lock();
        try {
            long lost = dropped.get();
            if (lost > 0) {
                // more invalidations than remembered were lost: nothing of this manager's caches is proven fresh
                for (String cache : List.copyOf(cacheNames)) {
                    if (!sendPending(keys.generation(cache))) {
                        return;
                    }
                }
                dropped.compareAndSet(lost, 0);
            }
            for (String key : List.copyOf(pendingBumps)) {
                if (!sendPending(key)) {
                    return;
                }
                pendingBumps.remove(key);
            }
            if (pendingBumps.isEmpty() && dropped.get() == 0) {
                LOG.info("cache: invalidations made while Redis was unreachable have been applied");
            }
        } finally {
            retrying.unlock();
        }
    }

    private boolean sendPending(String key) {
        try {
            tracker.invalidateLocally(key);
            ns.evalSync(BUMP, ScriptOutputType.INTEGER, new String[]{key});
            tracker.invalidateLocally(key);
            guard.succeeded();
            return true;
        } catch (RedkitException e) {
            guard.failed("*", "retry of a pending invalidation", e);
            return false;
        }
    }

    public RedisGuard guard() {
        return guard;
    }

    public Tracker tracker() {
        return tracker;
    }

    public KeySpace keys() {
        return keys;
    }

    public RedisNamespace namespace() {
        return ns;
    }
}
