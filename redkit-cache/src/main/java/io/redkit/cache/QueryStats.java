package io.redkit.cache;

/**
 * Database load a {@link QueryCache} saved in this process since it was created.
 *
 * @param fromCache queries that sent nothing to the database: hits, and misses that shared a concurrent
 *                  identical query's load (which {@link QueryResult.Source} reports as {@code DATABASE})
 * @param fromDatabase queries sent to the database (misses, outage fallbacks and refreshes)
 * @param writes statements run through {@link QueryCache#update}
 * @param invalidations table invalidations applied (from writes and from LISTEN/NOTIFY)
 */
public record QueryStats(long fromCache, long fromDatabase, long writes, long invalidations) {
    /** The share of queries that did not reach the database; 0 when there was none. */
    public double savedRatio() {
        long total = fromCache + fromDatabase;
        return total == 0 ? 0 : (double) fromCache / total;
    }
}
