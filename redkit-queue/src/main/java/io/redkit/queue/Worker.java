package io.redkit.queue;

import java.time.Duration;

/**
 * Consumes one or more queues with a bounded concurrency, running a {@link JobHandler} on its own
 * threads. Created running by {@link JobQueue#worker} or {@link JobQueue#worker(java.util.Collection,
 * JobHandler, WorkerOptions)}; thread-safe.
 *
 * <p>An idle worker blocks on Redis and wakes within milliseconds when a job is added or a delayed
 * job falls due; it never polls in a loop. It renews the leases of its running jobs, enforces
 * per-attempt timeouts, and keeps going through Redis restarts and failovers: while Redis is away
 * fetches fail and are retried with a growing pause (up to 2 s), and it resumes by itself when Redis
 * is back.
 */
public interface Worker extends AutoCloseable {
    /** This worker's id (stored with the jobs it runs). */
    String id();

    /** Jobs running right now. */
    int activeCount();

    /** True until {@link #close()} begins. */
    boolean isRunning();

    /**
     * Graceful shutdown with the configured {@link WorkerOptions#shutdownTimeout()}: stop fetching,
     * give jobs not yet started back to waiting at once, let running jobs finish until the timeout,
     * then interrupt the rest and give them back to waiting at once (their attempt does not count).
     * Blocks until done. Idempotent.
     */
    @Override
    void close();

    /** {@link #close()} with another timeout. */
    void close(Duration timeout);
}
