package io.redkit.queue;

import java.time.Duration;
import java.util.List;

/**
 * A queue's statistics, kept in Redis by the same scripts that change job states, so they count
 * every worker. Counters are totals since the queue was created.
 *
 * @param added jobs added
 * @param completed attempts that completed
 * @param failed attempts that failed (including those retried)
 * @param retried failed attempts followed by a retry
 * @param stalled leases that ran out
 * @param dead jobs that became dead
 * @param unreadable of those, jobs made dead because their record could not be read (a newer record format
 *        during a rolling upgrade, a foreign write); the record is kept as it was
 * @param completedPerMinute completions in each of the last 60 minutes, oldest first, the current minute last
 * @param processingTimeHistogram completions by processing time: entry {@code b} counts times of about
 *        {@code 2^(b/4)} ms (four buckets per doubling)
 */
public record QueueStats(long added, long completed, long failed, long retried, long stalled, long dead, long unreadable,
                         List<Long> completedPerMinute, List<Long> processingTimeHistogram) {

    /** Completions in the last hour. */
    public long completedLastHour() {
        return completedPerMinute.stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The processing time below which a fraction {@code q} (0 to 1) of completions fell, to within one
     * bucket (about 19%); zero when nothing completed.
     */
    public Duration processingTimePercentile(double q) {
        if (q < 0 || q > 1 || Double.isNaN(q)) {
            throw new IllegalArgumentException("q must be between 0 and 1: " + q);
        }
        long total = processingTimeHistogram.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return Duration.ZERO;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < processingTimeHistogram.size(); b++) {
            seen += processingTimeHistogram.get(b);
            if (seen >= Math.max(1, rank)) {
                return Duration.ofMillis(bucketUpperMs(b));
            }
        }
        return Duration.ofMillis(bucketUpperMs(processingTimeHistogram.size() - 1));
    }

    /** The largest processing time in ms that falls into bucket {@code b}. */
    public static long bucketUpperMs(int b) {
        return Math.max(0, (long) Math.ceil(Math.pow(2, (b + 1) / 4.0)) - 1);
    }
}
