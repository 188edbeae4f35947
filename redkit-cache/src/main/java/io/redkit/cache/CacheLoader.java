package io.redkit.cache;

/**
 * Computes the value of a key on a miss, usually by querying the database.
 *
 * <p>Return {@code null} for "there is no such value" (e.g. no row): the cache stores that answer as a
 * <em>negative</em> entry for {@link CacheOptions#negativeTtl()}, so repeated lookups of a missing row
 * do not reach the database. A loader that throws caches nothing; the exception reaches the caller
 * (checked exceptions wrapped in {@link CacheException}), unless a stale value can be served instead.
 *
 * <p>The loader runs on the calling thread (or, for a background refresh, on the manager's refresh
 * executor); at most one call per key runs at a time in one process.
 */
@FunctionalInterface
public interface CacheLoader<V> {
    /** The value for {@code key}, or {@code null} when it does not exist. */
    V load(String key) throws Exception;
}
