/**
 * Redkit cache: named caches on Redis with tag invalidation in O(1), stampede protection (single
 * flight within a process and across processes), negative caching, stale-while-revalidate, LZ4
 * compression, an optional near cache kept coherent by Redis client tracking, and a query cache for
 * JDBC with PostgreSQL trigger-based invalidation.
 *
 * <p>Entry points: {@link io.redkit.cache.RedisCacheManager} creates {@link io.redkit.cache.RedisCache}s
 * configured by {@link io.redkit.cache.CacheOptions}; {@link io.redkit.cache.QueryCache} runs SQL through
 * a cache. See {@code docs/cache.md} for the consistency model.
 */
package io.redkit.cache;
