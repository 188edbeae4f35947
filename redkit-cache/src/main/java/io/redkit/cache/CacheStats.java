package io.redkit.cache;

import java.time.Duration;

/**
 * Counters of one cache in this process since it was created; an immutable snapshot. The same
 * counters are published as Micrometer meters named {@code redkit.cache.*} with a {@code cache} tag
 * when the manager has a meter registry.
 *
 * @param hits lookups answered by the cache (Redis or near cache), negative entries included
 * @param misses lookups the cache could not answer, Redis failures included
 * @param nearHits the part of {@code hits} answered in process by the near cache
 * @param staleHits the part of {@code hits} that served a value past its soft TTL
 * @param loads loader calls that returned
 * @param loadFailures loader calls that threw
 * @param totalLoadTime time spent in loader calls
 * @param redisFailures Redis calls that failed or were skipped because Redis was unreachable
 * @param oversized loaded values not cached because they exceeded the size limit
 */
public record CacheStats(long hits, long misses, long nearHits, long staleHits, long loads, long loadFailures,
                         Duration totalLoadTime, long redisFailures, long oversized) {
    /** {@code hits / (hits + misses)}, or 1.0 when there was no lookup. */
    public double hitRatio() {
        long total = hits + misses;
        return total == 0 ? 1.0 : (double) hits / total;
    }
}
