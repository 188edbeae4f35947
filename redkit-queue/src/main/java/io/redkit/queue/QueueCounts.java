package io.redkit.queue;

/**
 * The number of jobs in each state, read in one consistent snapshot.
 *
 * @param waiting ready to run
 * @param delayed waiting for their delay
 * @param retrying waiting for the backoff before their next attempt
 * @param active held by workers
 * @param completed kept completed jobs
 * @param dead kept dead jobs
 * @param paused whether the queue is paused
 */
public record QueueCounts(long waiting, long delayed, long retrying, long active, long completed, long dead, boolean paused) {
    /** The count of {@code state}. */
    public long of(JobState state) {
        switch (state) {
            case WAITING: return waiting;
            case DELAYED: return delayed;
            case RETRYING: return retrying;
            case ACTIVE: return active;
            case COMPLETED: return completed;
            default: return dead;
        }
    }
}
