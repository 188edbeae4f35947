package io.redkit.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.redkit.cache.CacheException;
import io.redkit.cache.CacheLoader;
import io.redkit.cache.CacheOptions;
import io.redkit.cache.CacheStats;
import io.redkit.cache.RedisCache;
import io.redkit.cache.RedisCache.Lookup;
import io.redkit.core.RedkitException;
import io.redkit.core.codec.CodecException;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.core.codec.RedkitCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * One named cache, type-agnostic: every call says which {@link Type} to decode. {@link TypedCache}
 * fixes the type for {@link RedisCache}; the query cache uses one engine for many row types.
 * Thread-safe.
 */
public final class CacheEngine {
    private static final Logger LOG = LoggerFactory.getLogger("io.redkit.cache");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final int MAX_TAGS = 100;
    private static final int MAX_TAG_LENGTH = 256;
    private static final Object SKIPPED = new Object();
    private static final Object ABSENT = new Object();

    private final CacheContext ctx;
    private final String name;
    /** The operation names of a hit's command, built once rather than on every read. */
    private final String getOperation;
    private final CacheOptions options;
    private final RedkitCodec codec;
    private final StatsCounter stats = new StatsCounter();
    private final Map<String, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();
    private final Cache<String, NearEntry> near;
    private final Tracker.NearListener nearListener;
    private final String generationKey;

    public CacheEngine(CacheContext ctx, String name, CacheOptions options) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cache name must be 1 to 100 letters, digits, '.', '_' or '-': "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        this.ctx = ctx;
        this.name = name;
        this.getOperation = "cache " + name + " get";
        this.options = options;
        this.codec = options.codec();
        this.generationKey = ctx.keys.generation(name);
        ctx.registerCache(name);
        if (options.nearCache()) {
            this.near = Caffeine.newBuilder()
                    .maximumSize(options.nearCacheMaxEntries())
                    .executor(Runnable::run)
                    .ticker(ctx.ticker::read)
                    .expireAfter(new Expiry<String, NearEntry>() {
                        @Override
                        public long expireAfterCreate(String key, NearEntry e, long currentTime) {
                            long left = e.writeMillis + e.ttlMillis - ctx.clock.millis();
                            return TimeUnit.MILLISECONDS.toNanos(Math.max(0, left));
                        }

                        @Override
                        public long expireAfterUpdate(String key, NearEntry e, long currentTime, long currentDuration) {
                            return expireAfterCreate(key, e, currentTime);
                        }

                        @Override
                        public long expireAfterRead(String key, NearEntry e, long currentTime, long currentDuration) {
                            return currentDuration;
                        }
                    })
                    .build();
            this.nearListener = new Tracker.NearListener() {
                @Override
                public void invalidate(String userKey) {
                    near.invalidate(userKey);
                }

                @Override
                public void invalidateAll() {
                    near.invalidateAll();
                }
            };
            ctx.tracker.register(name, nearListener);
        } else {
            this.near = null;
            this.nearListener = null;
        }
        if (ctx.registry != null) {
            stats.bind(ctx.registry, name);
        }
    }

    public String name() {
        return name;
    }

    public CacheOptions options() {
        return options;
    }

    public CacheStats stats() {
        return stats.snapshot();
    }

    /** Entries currently in the near cache (0 without one). */
    public long nearSize() {
        if (near == null) {
            return 0;
        }
        near.cleanUp();
        return near.estimatedSize();
    }

    /** The Redis key of a user key (for tests and tools). */
    public String redisKey(String key) {
        return ctx.keys.value(name, near != null, key);
    }

    void close() {
        if (nearListener != null) {
            ctx.tracker.unregister(name, nearListener);
            near.invalidateAll();
        }
    }

    // ---------------------------------------------------------------- reads

    public <T> Lookup<T> lookup(String key, Type type) {
        checkKey(key);
        Hit h = read(key, type);
        if (h == null) {
            stats.misses.increment();
            return Lookup.miss();
        }
        countHit(h);
        return h.value == ABSENT ? Lookup.absent() : Lookup.of(cast(h.value));
    }

    public <T> Optional<T> getOrLoad(String key, Set<String> tags, CacheLoader<? extends T> loader, Type type) {
        return this.<T>getOrLoadWithSource(key, tags, loader, type).value();
    }

    /**
     * {@link #getOrLoad} that also says where the answer came from: {@link Source#CACHE} for a hit
     * (near cache or Redis, stale included); {@link Source#LOADED} for a miss answered by a load that
     * ran with Redis reachable, whether this call ran the loader or waited for a concurrent load of the
     * same key (in this process or, through the load lock, in another); {@link Source#BYPASSED} when
     * the loader ran without Redis because it was unreachable (for this call or for the load it waited for).
     */
    public <T> Sourced<T> getOrLoadWithSource(String key, Set<String> tags, CacheLoader<? extends T> loader, Type type) {
        checkKey(key);
        String[] tagArray = checkTags(tags);
        if (loader == null) {
            throw new IllegalArgumentException("loader must not be null");
        }
        Hit h = read(key, type);
        if (h != null) {
            countHit(h);
            if (h.stale || h.refreshEarly) {
                refreshInBackground(key, tagArray, loader, type);
            }
            return new Sourced<>(h.value == ABSENT ? Optional.empty() : Optional.of(cast(h.value)), Source.CACHE);
        }
        stats.misses.increment();
        while (true) {
            Object r = flight(key, () -> loadAndStore(key, tagArray, loader, type, false));
            Source source = Source.LOADED;
            if (r instanceof Bypassed) {
                r = ((Bypassed) r).value;
                source = Source.BYPASSED;
            }
            if (r != SKIPPED) {
                return new Sourced<>(r == ABSENT ? Optional.empty() : Optional.of(cast(r)), source);
            }
        }
    }

    /**
     * Runs {@code loader} without the cache (nothing read, nothing written), within the manager's
     * bound on loads made without Redis: for callers that know nothing cached can be proven fresh.
     */
    public <T> Sourced<T> loadBypassing(String key, CacheLoader<? extends T> loader) {
        checkKey(key);
        if (loader == null) {
            throw new IllegalArgumentException("loader must not be null");
        }
        stats.misses.increment();
        Object r = fallbackLoad(key, loader);
        return new Sourced<>(r == ABSENT ? Optional.empty() : Optional.of(cast(r)), Source.BYPASSED);
    }

    /** Where a {@link #getOrLoadWithSource} answer came from. */
    public enum Source {
        /** A hit: the near cache or Redis held a valid value. */
        CACHE,
        /** A miss answered by a load made while Redis was reachable. */
        LOADED,
        /** A miss answered by a load made without Redis, because it was unreachable. */
        BYPASSED
    }

    /** A {@link #getOrLoadWithSource} answer: the value (empty for "no such value") and its source. */
    public record Sourced<T>(Optional<T> value, Source source) {
    }

    public <T> Map<String, T> getAll(Collection<String> keys, Type type) {
        if (keys == null) {
            throw new IllegalArgumentException("keys must not be null");
        }
        List<String> list = new ArrayList<>(new LinkedHashSet<>(keys));
        for (String k : list) {
            checkKey(k);
        }
        Map<String, T> out = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return out;
        }
        if (!ctx.mayServe()) {
            stats.misses.add(list.size()); // invalidations wait to reach Redis: nothing cached is proven fresh
            return out;
        }
        List<String> remote = new ArrayList<>();
        boolean active = near != null && ctx.tracker.isActive();
        for (String k : list) {
            NearEntry e = active ? near.getIfPresent(k) : null;
            if (e != null && locallyValid(e)) {
                stats.hits.increment();
                stats.nearHits.increment();
                if (e.value != ABSENT) {
                    out.put(k, cast(e.value));
                }
            } else {
                remote.add(k);
            }
        }
        if (remote.isEmpty()) {
            return out;
        }
        if (!ctx.guard.available()) {
            skipped();
            stats.misses.add(remote.size());
            return out;
        }
        String[] redisKeys = new String[remote.size()];
        long[] stamps = new long[remote.size()];
        for (int i = 0; i < redisKeys.length; i++) {
            redisKeys[i] = redisKey(remote.get(i));
            stamps[i] = ctx.tracker.stamp(redisKeys[i]);
        }
        try {
            List<KeyValue<String, byte[]>> values = ctx.ns.await("cache " + name + " getAll", ctx.ns.async().mget(redisKeys));
            Envelope[] envs = new Envelope[remote.size()];
            Set<String> versionKeys = new TreeSet<>();
            for (int i = 0; i < envs.length; i++) {
                KeyValue<String, byte[]> kv = values.get(i);
                if (kv != null && kv.hasValue()) {
                    envs[i] = decodeEnvelope(remote.get(i), kv.getValue());
                    if (envs[i] != null) {
                        versionKeys.add(generationKey);
                        for (String t : envs[i].tags) {
                            versionKeys.add(ctx.keys.tag(t));
                        }
                    }
                }
            }
            Map<String, Long> current = versions(versionKeys);
            ctx.guard.succeeded();
            for (int i = 0; i < envs.length; i++) {
                Envelope env = envs[i];
                Object v = env == null || !valid(env, current) ? null : decodePayload(remote.get(i), env, type);
                if (v == null) {
                    stats.misses.increment();
                    continue;
                }
                stats.hits.increment();
                fillNear(remote.get(i), redisKeys[i], stamps[i], env, v);
                if (v != ABSENT) {
                    out.put(remote.get(i), cast(v));
                }
            }
        } catch (RedkitException e) {
            failed("getAll", e);
            stats.misses.add(remote.size());
        }
        return out;
    }

    /** The cached answer for {@code key}, or {@code null} on a miss (Redis failures included). */
    private Hit read(String key, Type type) {
        if (!ctx.mayServe()) {
            return null; // invalidations wait to reach Redis: nothing cached is proven fresh
        }
        if (near != null && ctx.tracker.isActive()) {
            NearEntry e = near.getIfPresent(key);
            if (e != null && locallyValid(e)) {
                return new Hit(e.value, true, isStale(e.writeMillis, e.softTtlMillis),
                        refreshEarly(e.writeMillis, e.ttlMillis, e.softTtlMillis, e.loadMillis));
            }
        }
        if (!ctx.guard.available()) {
            skipped();
            return null;
        }
        String rk = redisKey(key);
        long stamp = ctx.tracker.stamp(rk);
        try {
            byte[] bytes = ctx.ns.await(getOperation, ctx.ns.async().get(rk));
            if (bytes == null) {
                ctx.guard.succeeded();
                return null;
            }
            Envelope env = decodeEnvelope(key, bytes);
            if (env == null) {
                return null;
            }
            // the usual hit: every version the envelope names is tracked locally, nothing to fetch
            Boolean fresh = ctx.tracker.isActive() ? validAgainstTracked(env.generation, env.tags, env.tagVersions) : null;
            if (fresh == null) {
                fresh = valid(env, versions(versionKeys(env)));
            }
            ctx.guard.succeeded();
            if (!fresh) {
                return null;
            }
            Object v = decodePayload(key, env, type);
            if (v == null) {
                return null;
            }
            fillNear(key, rk, stamp, env, v);
            return new Hit(v, false, isStale(env.writeMillis, env.softTtlMillis),
                    refreshEarly(env.writeMillis, env.ttlMillis, env.softTtlMillis, env.loadMillis));
        } catch (RedkitException e) {
            failed("get", e);
            return null;
        }
    }

    private void fillNear(String key, String rk, long stamp, Envelope env, Object v) {
        if (near != null && ctx.tracker.stillValid(rk, stamp)) {
            near.put(key, new NearEntry(v, env));
            if (!ctx.tracker.stillValid(rk, stamp)) {
                near.invalidate(key); // an invalidation arrived while we stored
            }
        }
    }

    /**
     * Whether {@code generation} and {@code tagVersions} match the tracked local copies, or
     * {@code null} when one of them is not tracked locally (so Redis must be asked).
     */
    private Boolean validAgainstTracked(long generation, String[] tags, long[] tagVersions) {
        Long gen = ctx.tracker.localVersion(generationKey);
        if (gen == null) {
            return null;
        }
        boolean ok = gen == generation;
        for (int i = 0; i < tags.length; i++) {
            Long v = ctx.tracker.localVersion(ctx.keys.tag(tags[i]));
            if (v == null) {
                return null;
            }
            ok &= v == tagVersions[i];
        }
        return ok;
    }

    private boolean locallyValid(NearEntry e) {
        Long gen = ctx.tracker.localVersion(generationKey);
        if (gen == null || gen != e.generation) {
            return false;
        }
        for (int i = 0; i < e.tags.length; i++) {
            Long v = ctx.tracker.localVersion(ctx.keys.tag(e.tags[i]));
            if (v == null || v != e.tagVersions[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean valid(Envelope env, Map<String, Long> current) {
        Long gen = current.get(generationKey);
        if (gen == null || gen != env.generation) {
            return false;
        }
        for (int i = 0; i < env.tags.length; i++) {
            Long v = current.get(ctx.keys.tag(env.tags[i]));
            if (v == null || v != env.tagVersions[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean isStale(long writeMillis, long softTtlMillis) {
        return softTtlMillis > 0 && ctx.clock.millis() - writeMillis >= softTtlMillis;
    }

    /** XFetch: refresh early with a probability that rises as expiry nears and with the load time. */
    private boolean refreshEarly(long writeMillis, long ttlMillis, long softTtlMillis, int loadMillis) {
        double beta = options.earlyRefreshBeta();
        if (beta <= 0 || loadMillis <= 0) {
            return false;
        }
        long expiry = writeMillis + (softTtlMillis > 0 ? softTtlMillis : ttlMillis);
        double r = ThreadLocalRandom.current().nextDouble();
        double gap = -loadMillis * beta * Math.log(r <= 0 ? Double.MIN_VALUE : r);
        return ctx.clock.millis() + gap >= expiry;
    }

    private Envelope decodeEnvelope(String key, byte[] bytes) {
        try {
            return Envelope.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.debug("cache '{}': key '{}' does not hold a cache envelope, treated as a miss: {}", name, key, e.getMessage());
            return null;
        }
    }

    /** The value (or ABSENT), or {@code null} when the payload cannot be decoded as {@code type}. */
    private Object decodePayload(String key, Envelope env, Type type) {
        if (env.absent) {
            return ABSENT;
        }
        try {
            Object v = codec.decode(env.payload, type);
            return v == null ? ABSENT : v;
        } catch (CodecException | IllegalArgumentException e) {
            LOG.warn("cache '{}': cannot decode key '{}' as {}, treated as a miss: {}", name, key, type, e.getMessage());
            return null;
        }
    }

    private List<String> versionKeys(Envelope env) {
        List<String> keys = new ArrayList<>(1 + env.tags.length);
        keys.add(generationKey);
        for (String t : env.tags) {
            keys.add(ctx.keys.tag(t));
        }
        return keys;
    }

    private List<String> versionKeys(String[] tags) {
        List<String> keys = new ArrayList<>(1 + tags.length);
        keys.add(generationKey);
        for (String t : tags) {
            keys.add(ctx.keys.tag(t));
        }
        return keys;
    }

    /**
     * Current versions of {@code keys}: from the tracked local copy when possible, else one MGET
     * (split per slot on Cluster), creating missing counters.
     */
    private Map<String, Long> versions(Collection<String> keys) {
        Map<String, Long> out = new HashMap<>();
        List<String> fetch = new ArrayList<>();
        boolean active = ctx.tracker.isActive();
        for (String k : keys) {
            Long v = active ? ctx.tracker.localVersion(k) : null;
            if (v != null) {
                out.put(k, v);
            } else {
                fetch.add(k);
            }
        }
        if (fetch.isEmpty()) {
            return out;
        }
        long[] stamps = new long[fetch.size()];
        for (int i = 0; i < stamps.length; i++) {
            stamps[i] = ctx.tracker.stamp(fetch.get(i));
        }
        List<KeyValue<String, byte[]>> values = ctx.ns.await("cache " + name + " versions",
                ctx.ns.async().mget(fetch.toArray(new String[0])));
        for (int i = 0; i < stamps.length; i++) {
            KeyValue<String, byte[]> kv = values.get(i);
            String k = fetch.get(i);
            long v;
            if (kv != null && kv.hasValue()) {
                v = Long.parseLong(new String(kv.getValue(), java.nio.charset.StandardCharsets.US_ASCII));
            } else {
                Long created = ctx.ns.evalSync(CacheContext.INIT, ScriptOutputType.INTEGER, new String[]{k});
                v = created;
            }
            out.put(k, v);
            ctx.tracker.rememberVersion(k, v, stamps[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- loads

    private interface Flight {
        Object run();
    }

    /** Runs {@code flight} unless a call for the same key is in flight in this process; then shares its result. */
    private Object flight(String key, Flight flight) {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            return join(key, existing);
        }
        try {
            Object v = flight.run();
            mine.complete(v);
            return v;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private Object join(String key, CompletableFuture<Object> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException(name, "interrupted while waiting for the load of key '" + key + "'", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new CacheException(name, "loading key '" + key + "' failed", c);
        }
    }

    private void refreshInBackground(String key, String[] tags, CacheLoader<?> loader, Type type) {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        if (inFlight.putIfAbsent(key, mine) != null) {
            return; // a load or refresh of this key is already running here
        }
        try {
            ctx.refreshExecutor.execute(() -> {
                try {
                    mine.complete(loadAndStore(key, tags, loader, type, true));
                } catch (Throwable t) {
                    mine.complete(SKIPPED); // stale-if-error: the stale value stays until its TTL
                    LOG.warn("cache '{}': background refresh of key '{}' failed; the stale value is served until it expires: {}",
                            name, key, t.toString());
                } finally {
                    inFlight.remove(key, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, mine);
            mine.complete(SKIPPED);
        }
    }

    /**
     * Loads {@code key} and caches the result. Reads the version stamps first, so an invalidation
     * made while the loader runs is never hidden. Unless {@code refresh}, waits (at most the lock
     * wait) for another process that holds the key's load lock, and takes its value. A value loaded
     * without Redis (unreachable) comes back wrapped in {@link Bypassed}.
     */
    private Object loadAndStore(String key, String[] tags, CacheLoader<?> loader, Type type, boolean refresh) {
        if (!ctx.guard.available()) {
            skipped();
            return new Bypassed(fallbackLoad(key, loader));
        }
        if (!ctx.mayServe()) {
            // invalidations wait to reach Redis (or cannot be sent yet): load without caching
            return refresh ? SKIPPED : new Bypassed(fallbackLoad(key, loader));
        }
        Map<String, Long> versions;
        String token = UUID.randomUUID().toString();
        String lockKey = ctx.keys.lock(name, key);
        boolean locked = false;
        try {
            versions = versions(versionKeys(tags));
            long deadline = ctx.ticker.read() + options.lockWait().toNanos();
            long backoff = TimeUnit.MILLISECONDS.toNanos(2);
            while (true) {
                String ok = ctx.ns.await("cache " + name + " lock", ctx.ns.async().set(lockKey,
                        token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        SetArgs.Builder.nx().px(options.lockTtl().toMillis())));
                if ("OK".equals(ok)) {
                    locked = true;
                    break;
                }
                if (refresh) {
                    return SKIPPED; // another process is refreshing it
                }
                if (options.lockWait().isZero() || ctx.ticker.read() - deadline >= 0) {
                    break; // waited long enough: load ourselves
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(50));
                Hit h = read(key, type);
                if (h != null) {
                    return h.value; // the other process loaded it
                }
            }
            ctx.guard.succeeded();
        } catch (RedkitException e) {
            failed("load", e);
            return new Bypassed(fallbackLoad(key, loader));
        }
        try {
            long t0 = ctx.ticker.read();
            Object value = callLoader(key, loader);
            int loadMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(ctx.ticker.read() - t0)));
            try {
                store(key, value == ABSENT ? null : value, tags, versions, loadMillis);
            } catch (PayloadTooLargeException e) {
                stats.oversized.increment();
                LOG.warn("cache '{}': loaded value for key '{}' not cached: {}", name, key, e.getMessage());
            } catch (CodecException e) {
                LOG.warn("cache '{}': loaded value for key '{}' cannot be encoded and is not cached: {}", name, key, e.getMessage());
            }
            return value;
        } finally {
            if (locked) {
                ctx.ns.eval(CacheContext.UNLOCK, ScriptOutputType.INTEGER, new String[]{lockKey}, token)
                        .whenComplete((r, err) -> { /* an unreleased lock expires after lockTtl */ });
            }
        }
    }

    private Object fallbackLoad(String key, CacheLoader<?> loader) {
        try {
            ctx.fallbackLoads.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException(name, "interrupted while waiting for a load slot for key '" + key + "'", e);
        }
        try {
            return callLoader(key, loader);
        } finally {
            ctx.fallbackLoads.release();
        }
    }

    private Object callLoader(String key, CacheLoader<?> loader) {
        long t0 = ctx.ticker.read();
        Object v;
        try {
            v = loader.load(key);
        } catch (RuntimeException | Error e) {
            stats.loadFailures.increment();
            throw e;
        } catch (Exception e) {
            stats.loadFailures.increment();
            throw new CacheException(name, "loader failed for key '" + key + "'", e);
        } finally {
            stats.loadNanos.add(ctx.ticker.read() - t0);
        }
        stats.loads.increment();
        return v == null ? ABSENT : v;
    }

    // ---------------------------------------------------------------- writes

    public void put(String key, Object value, Set<String> tags) {
        checkKey(key);
        String[] tagArray = checkTags(tags);
        if (value == null) {
            throw new IllegalArgumentException("value must not be null (key '" + key + "'); use putAbsent for a negative entry");
        }
        byte[] payload = encodeChecked(key, value);
        if (!ctx.guard.available()) {
            skipped();
            return;
        }
        try {
            Map<String, Long> versions = versions(versionKeys(tagArray));
            write(key, payload, tagArray, versions, 0);
        } catch (RedkitException e) {
            failed("put", e);
        }
    }

    public void putAbsent(String key, Set<String> tags) {
        checkKey(key);
        String[] tagArray = checkTags(tags);
        if (!ctx.guard.available()) {
            skipped();
            return;
        }
        try {
            Map<String, Long> versions = versions(versionKeys(tagArray));
            write(key, null, tagArray, versions, 0);
        } catch (RedkitException e) {
            failed("putAbsent", e);
        }
    }

    private void store(String key, Object value, String[] tags, Map<String, Long> versions, int loadMillis) {
        byte[] payload = value == null ? null : encodeChecked(key, value);
        if (!ctx.guard.available()) {
            skipped();
            return;
        }
        try {
            write(key, payload, tags, versions, loadMillis);
        } catch (RedkitException e) {
            failed("store", e);
        }
    }

    private byte[] encodeChecked(String key, Object value) {
        byte[] payload;
        try {
            payload = codec.encode(value);
        } catch (PayloadTooLargeException e) {
            throw new PayloadTooLargeException("value for key '" + key + "' in cache '" + name + "'", e.size(), e.limit());
        }
        if (payload.length > options.maxValueSize()) {
            throw new PayloadTooLargeException("value for key '" + key + "' in cache '" + name + "' (maxValueSize)",
                    payload.length, options.maxValueSize());
        }
        return payload;
    }

    private void write(String key, byte[] payload, String[] tags, Map<String, Long> versions, int loadMillis) {
        long ttl;
        if (payload == null) {
            ttl = options.negativeTtl().toMillis();
            if (ttl <= 0) {
                return; // negative caching is off
            }
        } else {
            ttl = jittered(options.ttl().toMillis());
        }
        long[] tagVersions = new long[tags.length];
        for (int i = 0; i < tags.length; i++) {
            tagVersions[i] = versions.get(ctx.keys.tag(tags[i]));
        }
        long soft = payload == null ? 0 : options.softTtl().toMillis();
        byte[] bytes = Envelope.encode(payload, options.compressionThreshold(), ctx.clock.millis(), ttl, soft, loadMillis,
                versions.get(generationKey), tags, tagVersions);
        String rk = redisKey(key);
        forgetLocally(key, rk);
        ctx.ns.await("cache " + name + " set", ctx.ns.async().set(rk, bytes, SetArgs.Builder.px(ttl)));
        forgetLocally(key, rk);
        ctx.guard.succeeded();
    }

    private long jittered(long ttl) {
        double j = options.jitter();
        if (j <= 0) {
            return ttl;
        }
        long cut = (long) (ttl * j * ThreadLocalRandom.current().nextDouble());
        return Math.max(1, ttl - cut);
    }

    public void delete(String key) {
        checkKey(key);
        String rk = redisKey(key);
        forgetLocally(key, rk);
        if (!ctx.guard.available()) {
            skipped();
            return;
        }
        try {
            ctx.ns.await("cache " + name + " delete", ctx.ns.async().del(rk));
            forgetLocally(key, rk);
            ctx.guard.succeeded();
        } catch (RedkitException e) {
            failed("delete", e);
        }
    }

    public void clear() {
        bump(generationKey, "clear");
        if (near != null) {
            near.invalidateAll();
        }
    }

    /** Raises a version key (a tag or this cache's generation). */
    void bump(String versionKey, String operation) {
        if (!ctx.bump(name, versionKey, operation)) {
            stats.redisFailures.increment();
        }
    }

    public void invalidateTag(String tag) {
        checkTag(tag);
        bump(ctx.keys.tag(tag), "invalidateTag");
    }

    /** Validates {@code tag} and raises its version. */
    public static void bumpTag(CacheContext ctx, String cacheName, String tag) {
        checkTag(tag);
        ctx.bump(cacheName, ctx.keys.tag(tag), "invalidateTag");
    }

    private void forgetLocally(String key, String rk) {
        ctx.tracker.invalidateLocally(rk);
        if (near != null) {
            near.invalidate(key);
        }
    }

    // ---------------------------------------------------------------- helpers

    private void countHit(Hit h) {
        stats.hits.increment();
        if (h.near) {
            stats.nearHits.increment();
        }
        if (h.stale) {
            stats.staleHits.increment();
        }
    }

    private void failed(String operation, RedkitException e) {
        stats.redisFailures.increment();
        ctx.guard.failed(name, operation, e);
    }

    private void skipped() {
        stats.redisFailures.increment();
        ctx.guard.skipped();
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private void checkKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null (cache '" + name + "')");
        }
        if (key.isEmpty() || key.length() > RedisCache.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key must have 1 to " + RedisCache.MAX_KEY_LENGTH + " characters (cache '"
                    + name + "'): " + (key.isEmpty() ? "\"\"" : key.length() + " characters"));
        }
    }

    private static void checkTag(String tag) {
        if (tag == null || tag.isEmpty() || tag.length() > MAX_TAG_LENGTH) {
            throw new IllegalArgumentException("tag must have 1 to " + MAX_TAG_LENGTH + " characters: "
                    + (tag == null ? "null" : "\"" + (tag.length() > 40 ? tag.substring(0, 40) + "..." : tag) + "\""));
        }
    }

    private static String[] checkTags(Set<String> tags) {
        if (tags == null) {
            throw new IllegalArgumentException("tags must not be null; pass Set.of() for none");
        }
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("a value carries at most " + MAX_TAGS + " tags: " + tags.size());
        }
        for (String t : tags) {
            checkTag(t);
        }
        return new TreeSet<>(tags).toArray(new String[0]);
    }

    /** A loaded value (or ABSENT) that was loaded without Redis; unwrapped by {@link #getOrLoadWithSource}. */
    private static final class Bypassed {
        final Object value;

        Bypassed(Object value) {
            this.value = value;
        }
    }

    /** A cache answer: the value or ABSENT. */
    private static final class Hit {
        final Object value;
        final boolean near;
        final boolean stale;
        final boolean refreshEarly;

        Hit(Object value, boolean near, boolean stale, boolean refreshEarly) {
            this.value = value;
            this.near = near;
            this.stale = stale;
            this.refreshEarly = refreshEarly;
        }
    }

    /** A decoded value held in process, with what it depends on. */
    private static final class NearEntry {
        final Object value;
        final long generation;
        final String[] tags;
        final long[] tagVersions;
        final long writeMillis;
        final long ttlMillis;
        final long softTtlMillis;
        final int loadMillis;

        NearEntry(Object value, Envelope env) {
            this.value = value;
            this.generation = env.generation;
            this.tags = env.tags;
            this.tagVersions = env.tagVersions;
            this.writeMillis = env.writeMillis;
            this.ttlMillis = env.ttlMillis;
            this.softTtlMillis = env.softTtlMillis;
            this.loadMillis = env.loadMillis;
        }
    }
}
