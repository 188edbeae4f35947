package io.redkit.ratelimit;

/**
 * The result of {@link RateLimiter#reserve}: a decision whose cost, when allowed, is already taken
 * from every limit and stays taken unless the caller gives it back with {@link #release()}. Use it
 * for limits that count an outcome (failed logins): reserve before the attempt, settle after.
 *
 * <pre>{@code
 * Reservation r = limiter.reserve(1, perIp, perAccount);
 * if (!r.allowed()) { return tooManyAttempts(r.decision().retryAfter()); }
 * if (passwordMatches) { r.release(); } else { r.keep(); }
 * }</pre>
 *
 * <p><b>Guarantee.</b> A reservation is taken atomically, exactly like a {@link RateLimiter#check}
 * of the same cost, so reservations in flight count like admissions: for a
 * {@link Algorithm#SLIDING_WINDOW} limit, the units reserved and not released, plus those kept, plus
 * plain checks, never exceed the limit in any window, across every thread and process. N concurrent
 * attempts therefore get at most {@code limit} attempts through, whatever their outcome; the others
 * are denied before they start.
 *
 * <p><b>Settling.</b> Only the first {@link #release()} or {@link #keep()} has an effect; later
 * calls do nothing. A reservation that is never settled stays counted, so a process that dies
 * between reserving and settling counts the attempt as kept (a failure, for a login); there is no
 * lease that expires on its own. A denied reservation took nothing and has nothing to settle
 * ({@link #settled()} is already true).
 *
 * <p>Thread-safe.
 */
public interface Reservation {
    /** The decision, exactly as {@link RateLimiter#check} would have returned it. */
    Decision decision();

    /** {@code decision().allowed()}. */
    default boolean allowed() {
        return decision().allowed();
    }

    /**
     * Gives the reserved cost back to every limit (the attempt should not count): the state becomes
     * what it would have been without the reservation, as far as the reserved units still count.
     * The exact sliding window removes the entries the reservation added (entries that have left
     * the window are gone anyway); the sliding-window counter subtracts the cost from the bucket it
     * was added to while that bucket still counts (as the current or the previous one), never below
     * zero; GCRA moves its theoretical arrival time back by the part of the reservation's interval
     * that has not yet elapsed, never below now: exact when no admission on the key followed the
     * reservation, otherwise it may give back less, never more.
     *
     * <p>Never throws. Nothing is given back, and the cost stays counted, when the reservation was
     * denied or already settled, when it was decided without Redis (by the policy's
     * {@link FailureMode}: a {@code LOCAL} reservation stays counted in the local fallback), when
     * Redis fails or is being skipped after a recent failure. After a release this process's denied
     * cache forgets the reserved keys; other processes' denied caches may keep denying them until
     * the retry-after they were told (more denials, never more admissions). Release before any
     * {@link RateLimiter#reset} of the same key, not after: a release after a reset may give back
     * units taken after the reset.
     *
     * @return true when this call released the reservation in Redis (its cost no longer counts);
     *         false when there was nothing to release (denied, already settled, decided without
     *         Redis) or Redis failed
     */
    boolean release();

    /** Keeps the reserved cost counted (the attempt failed). No Redis call; idempotent. */
    void keep();

    /** Whether the reservation has been released or kept, or was denied (nothing to settle). */
    boolean settled();
}
