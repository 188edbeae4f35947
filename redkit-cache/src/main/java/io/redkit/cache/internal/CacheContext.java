package io.redkit.cache.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.time.Ticker;

import java.time.Clock;
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
