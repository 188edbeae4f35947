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
    /** Most pending bumps remembered; beyond, further ones are logged and dropped. */
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
            LOG.error("cache: {} invalidations are waiting for Redis already; dropping the invalidation of {}. Values "
                    + "carrying it may be served until their TTL", MAX_PENDING_BUMPS, versionKey);
            return;
        }
        pendingBumps.add(versionKey);
    }

    /** Invalidations waiting for Redis. */
    public int pendingBumps() {
        return pendingBumps.size();
    }

    /**
     * Sends the invalidations that failed while Redis was unreachable, once it is reachable again.
     * Called periodically by the manager; stops at the first failure.
     */
    public void retryPendingBumps() {
        if (pendingBumps.isEmpty() || !guard.available()) {
            return;
        }
        for (String key : List.copyOf(pendingBumps)) {
            try {
                tracker.invalidateLocally(key);
                ns.evalSync(BUMP, ScriptOutputType.INTEGER, new String[]{key});
                tracker.invalidateLocally(key);
                pendingBumps.remove(key);
                guard.succeeded();
            } catch (RedkitException e) {
                guard.failed("*", "retry of a pending invalidation", e);
                return;
            }
        }
        LOG.info("cache: invalidations made while Redis was unreachable have been applied");
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
