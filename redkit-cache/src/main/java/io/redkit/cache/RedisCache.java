package io.redkit.cache;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A named cache of values of one type in Redis, with tags, negative entries, stampede protection and
 * an optional near cache. Obtained from {@link RedisCacheManager#cache}; thread-safe; every method
 * blocks the calling thread for at most about the Redis command timeout plus, for the loading
 * methods, the loader's own time.
 *
 * <p><b>Keys</b> are non-empty strings of at most {@value #MAX_KEY_LENGTH} characters; {@code null}
 * or empty keys throw {@link IllegalArgumentException} (or {@link NullPointerException} for
 * {@code null}) and touch nothing.
 *
 * <p><b>Tags</b> (e.g. {@code table:products}) group values: {@link #invalidateTag(String)} makes
 * every value that carries the tag a miss in one Redis command, however many there are. A value
 * records its tags' versions when it is written (for loads: before the loader runs, so a change made
 * while loading is never hidden).
 *
 * <p><b>Redis unreachable</b>: reads behave as misses and read through to the loader (at most
 * {@link RedisCacheManager.Builder#maxConcurrentFallbackLoads(int)} loads at a time per manager),
 * writes are skipped, and nothing from Redis reaches the caller as an exception. Tag invalidations and
 * clears made meanwhile are remembered by the manager and sent as soon as Redis answers again, so a
 * value cached before the outage is not served after it once its tag was invalidated in this process.
 *
 * @param <V> the value type
 */
public interface RedisCache<V> {
    /** Longest accepted key, in characters. */
    int MAX_KEY_LENGTH = 1024;

    /** The cache's name, as given to the manager. */
    String name();

    /** The cache's options. */
    CacheOptions options();

    /**
     * The cached value of {@code key}: empty on a miss and for a negative entry (see
     * {@link #lookup(String)} to tell them apart). Never loads.
     */
    Optional<V> get(String key);

    /**
     * The cache's answer for {@code key}: {@link Lookup#miss()}, {@link Lookup#absent()} (a cached
     * "no such value") or {@link Lookup#of(Object)}. Never loads.
     */
    Lookup<V> lookup(String key);

    /**
     * The value of {@code key}, from the cache or from {@code loader} on a miss, which is then cached.
     * Empty when the loader returned {@code null} (cached as a negative entry). Concurrent misses of
     * one key run the loader once per process, and, while a Redis lock is held, once across
     * processes; see {@link CacheOptions.Builder#lockWait(Duration)}. A call never shares a load that
     * began before an invalidation (of the value's tags, or a {@link #clear()}) that this process made,
     * or can see (with tracking: once its invalidation message arrived), before the call; it loads
     * anew, and the older load's result is not cached.
     *
     * @throws CacheException wrapping a checked exception of the loader; unchecked ones pass unchanged
     */
    default Optional<V> getOrLoad(String key, CacheLoader<? extends V> loader) {
        return getOrLoad(key, Set.of(), loader);
    }

    /** {@link #getOrLoad(String, CacheLoader)}, the loaded value carrying {@code tags}. */
    Optional<V> getOrLoad(String key, Set<String> tags, CacheLoader<? extends V> loader);

    /**
     * The cached values of {@code keys} in one round trip per Redis node (one {@code MGET} per hash
     * slot on Cluster). Misses and negative entries are left out of the map.
     */
    Map<String, V> getAll(Collection<String> keys);

    /**
     * Stores {@code value} for {@code key}.
     *
     * @throws IllegalArgumentException when the value is larger than {@link CacheOptions#maxValueSize()}
     *         (nothing is written) or {@code value} is {@code null}
     */
    default void put(String key, V value) {
        put(key, value, Set.of());
    }

    /** {@link #put(String, Object)} with tags. */
    void put(String key, V value, Set<String> tags);

    /** Stores a negative entry ("no such value") for {@code key}, for {@link CacheOptions#negativeTtl()}. */
    void putAbsent(String key, Set<String> tags);

    /** Removes {@code key} from the cache (in Redis and in every near cache). */
    void delete(String key);

    /**
     * Makes every value carrying {@code tag}, in every cache of this Redis, a miss: one {@code INCR}
     * of the tag's version, O(1) however many values carry it.
     */
    void invalidateTag(String tag);

    /**
     * Empties this cache in O(1) by moving it to a new generation; old values are never read again
     * and expire by their TTL. Never scans keys.
     */
    void clear();

    /** A snapshot of this cache's counters in this process. */
    CacheStats stats();

    /**
     * What the cache holds for a key: a value, a negative entry, or nothing.
     *
     * @param <V> the value type
     */
    final class Lookup<V> {
        private static final Lookup<?> MISS = new Lookup<>(false, null);
        private static final Lookup<?> ABSENT = new Lookup<>(true, null);

        private final boolean hit;
        private final V value;

        private Lookup(boolean hit, V value) {
            this.hit = hit;
            this.value = value;
        }

        /** Nothing cached. */
        @SuppressWarnings("unchecked")
        public static <V> Lookup<V> miss() {
            return (Lookup<V>) MISS;
        }

        /** A cached "no such value". */
        @SuppressWarnings("unchecked")
        public static <V> Lookup<V> absent() {
            return (Lookup<V>) ABSENT;
        }

        /** A cached value. */
        public static <V> Lookup<V> of(V value) {
            return new Lookup<>(true, java.util.Objects.requireNonNull(value, "value"));
        }

        /** Whether the cache answered (a value or a negative entry). */
        public boolean isHit() {
            return hit;
        }

        /** Whether the cache holds a negative entry. */
        public boolean isAbsent() {
            return hit && value == null;
        }

        /** The value, empty for a miss or a negative entry. */
        public Optional<V> value() {
            return Optional.ofNullable(value);
        }

        @Override
        public String toString() {
            return !hit ? "Lookup.miss" : value == null ? "Lookup.absent" : "Lookup.of(" + value + ")";
        }
    }
}
