package io.redkit.queue;

/**
 * Processes jobs. Called on the worker's handler threads (never on Redis client threads), by
 * several threads at once when the worker's concurrency is above one.
 */
@FunctionalInterface
public interface JobHandler {
    /**
     * Runs one attempt of {@code job}.
     *
     * @return the result, stored with the completed job (encoded with the queue's codec), or {@code null}
     * @throws Exception to fail the attempt: the job is retried after its backoff, or is dead when its
     *         attempts are used up. An interrupt means the attempt timed out or the worker is closing.
     */
    Object handle(Job job) throws Exception;
}
