package io.redkit.queue;

import java.time.Duration;

/**
 * A custom retry delay, registered on a worker by name and chosen per job with
 * {@link Backoff#custom(String)}. Called on a worker thread; must be fast and must not block.
 */
@FunctionalInterface
public interface BackoffFunction {
    /**
     * The delay before the next attempt.
     *
     * @param failedAttempt the attempt that just failed, from 1
     * @param error what the handler threw
     * @return a delay of zero or more; {@code null} means "do not retry" (the job is dead)
     */
    Duration delay(int failedAttempt, Throwable error);
}
