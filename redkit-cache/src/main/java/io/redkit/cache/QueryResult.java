package io.redkit.cache;

import io.redkit.core.internal.Checks;

import java.util.List;

/**
 * The rows of one {@link QueryCache#queryWithSource} call and where they came from, e.g. for an
 * {@code X-Cache: HIT | MISS | BYPASS} response header.
 *
 * @param rows the rows, as {@link QueryCache#query} returns them (never {@code null}; may be shared
 *             with other callers: treat as immutable)
 * @param source where the rows came from (never {@code null})
 */
public record QueryResult<T>(List<T> rows, Source source) {
    public QueryResult {
        Checks.notNull(rows, "rows");
        Checks.notNull(source, "source");
    }

    /** Where the rows of a query came from. */
    public enum Source {
        /** A hit: the near cache or Redis held a valid result (a stale one included, see {@code softTtl}). */
        CACHE,
        /**
         * A miss: the cache held no valid result, so the query ran on the database with Redis reachable,
         * either for this call or for a concurrent identical call this one waited for (single flight, in
         * this process or another); the result was then cached. The call paid for a database query.
         */
        DATABASE,
        /**
         * Nothing cached could be proven fresh, so the query ran on the database directly and its result
         * was not cached: Redis was unreachable (or is being left alone after a failure, see
         * {@link RedisCacheManager.Builder#retryInterval}), invalidations were still waiting to reach it,
         * or the LISTEN connection was not up.
         */
        BYPASS
    }
}
