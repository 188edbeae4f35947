package io.redkit.queue;

/** Where a job is in its life. */
public enum JobState {
    /** Ready to run, waiting for a worker (possibly behind jobs of higher priority, or in a paused queue). */
    WAITING,
    /** Added with a delay or a run-at time that has not come yet. */
    DELAYED,
    /** Held by a worker under a lease. */
    ACTIVE,
    /** An attempt failed and the next one is scheduled after its backoff. */
    RETRYING,
    /** Finished successfully (kept according to the queue's completed-job retention). */
    COMPLETED,
    /** Failed for good: attempts used up, or stalled too often (kept according to the dead-job retention). */
    DEAD;

    /** The lower-case name Redkit uses in Redis and in events, e.g. {@code "waiting"}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
