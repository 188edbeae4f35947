package io.redkit.ratelimit;

/**
 * The result of {@link RateLimiter#reserve}: a decision whose cost, when allowed, is already taken
 * from every limit, and stays taken unless the caller gives it back with {@link #release()}. Use
 * it for limits that count an outcome (failed logins): reserve before the attempt, settle after.
 *
 * <pre>{@code
 * Reservation r = limiter.reserve(1, perIp, perAccount);
 * if (!r.allowed()) { return tooManyAttempts(r.decision().retryAfter()); }
 * if (passwordMatches) { r.release(); } else { r.keep(); }
 * }</pre>
 *
 * <p>Concurrent attempts cannot overtake each other: each reservation is taken atomically, like a
 * {@link RateLimiter#check}, so at most {@code limit} attempts are ever in flight or counted per
 * window, across every process. A reservation that is never settled stays counted (the safe
 * default: a crash between reserve and settle counts as a failure). Settling is idempotent: only
 * the first {@code release()} or {@code keep()} has an effect.
 *
 * <p>Thread-safe. A denied reservation took nothing; settling it does nothing.
 */
public interface Reservation {
    /** The decision, exactly as {@link RateLimiter#check} would have returned it. */
    Decision decision();

    /** {@code decision().allowed()}. */
    default boolean allowed() {
        return decision().allowed();
    }

    /**
     * Gives the reserved cost back to every limit (the attempt succeeded and should not count), as
     * if the reservation had not been made: the exact sliding window removes the entries it added,
     * the counter subtracts the cost from the bucket it was added to (never below zero), GCRA moves
     * its theoretical arrival time back by the part of the reservation's interval that has not yet
     * elapsed (never below now). Exact for the exact window and the counter; for GCRA exact when no
     * admission on the key came after the reservation, otherwise it may give back less, never more.
     *
     * <p>Never throws: when Redis fails or is unreachable, or the reservation was decided by the
     * failure mode (not by Redis), nothing is given back and the cost stays counted. A release also
     * clears this process's denied cache for the reserved keys. Do not combine it with
     * {@link RateLimiter#reset} of the same key for the same request: a release after a reset may
     * give back units taken after the reset.
     *
     * @return true when this call gave the cost back in Redis; false when the reservation was
     *         denied, already settled, decided without Redis, or Redis failed
     */
    boolean release();

    /** Keeps the reserved cost counted (the attempt failed). No Redis call; idempotent. */
    void keep();

    /** Whether {@link #release()} or {@link #keep()} has been called. */
    boolean settled();
}
