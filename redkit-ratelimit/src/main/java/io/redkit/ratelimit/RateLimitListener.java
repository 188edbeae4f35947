package io.redkit.ratelimit;

/**
 * Receives a rate limiter's events. Methods run on the thread that made the check and must be
 * fast and must not throw (a throwing listener is logged and ignored). Every method has an empty
 * default.
 */
public interface RateLimitListener {
    /** A check was decided (by Redis, the denied cache, the local fallback or the failure mode). */
    default void onDecision(Decision decision) {}

    /**
     * Redis could not be reached (or answered that it cannot serve, e.g. {@code OOM}) for a check of
     * {@code policy}, which was then decided by its {@link FailureMode}.
     */
    default void onRedisUnavailable(RatePolicy policy, RuntimeException cause) {}
}
