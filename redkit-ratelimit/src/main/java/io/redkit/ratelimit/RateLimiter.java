package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.ratelimit.internal.RedisRateLimiter;

import java.util.List;

/**
 * Distributed rate limiting on Redis: checks a request against one or more {@link RatePolicy}
 * limits in one atomic Lua script and one round trip, using the Redis server's clock.
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.create(redkit);
 * RatePolicies policies = RatePolicies.fromEnv();
 * Decision d = limiter.check(policies.get("api"), clientIp);
 * if (!d.allowed()) { respond429(d.retryAfter()); }
 *
 * // login: 5 per account and IP, 20 per IP, all-or-nothing, one Cluster slot (tag = the IP)
 * Decision login = limiter.check(1,
 *         LimitedKey.of(policies.get("login"), "{" + ip + "}:" + account),
 *         LimitedKey.of(policies.get("login-ip"), "{" + ip + "}"));
 * }</pre>
 *
 * <p><b>Guarantees.</b> A denied request consumes nothing from any limit. A {@link
 * Algorithm#SLIDING_WINDOW} policy never admits more than its limit in any window, whatever the
 * number of threads and processes. Every state key expires when idle.
 *
 * <p><b>Failures.</b> When Redis is unreachable, slower than the command timeout, or answers an
 * error saying it cannot serve now whatever the key ({@code OOM}, {@code READONLY}, {@code MISCONF},
 * {@code BUSY}, {@code LOADING}, {@code MASTERDOWN}, {@code CLUSTERDOWN}, {@code TRYAGAIN},
 * {@code NOREPLICAS}, also wrapped in a script error as Redis 6.2 sends them), each limit of a check
 * is decided by its {@link FailureMode}; no call waits longer than about the command timeout.
 * Errors of the call itself (e.g. a foreign value under a limiter key) are thrown as
 * {@link io.redkit.core.RedisCommandException}.
 *
 * <p>Thread-safe; share one per process, and {@linkplain #close() close} it before the
 * {@code Redkit} it uses (it sends the denials recorded since the last background flush).
 * Arguments must not be {@code null}.
 */
public interface RateLimiter extends AutoCloseable {
    /** A limiter on {@code redkit} with {@link RateLimiterOptions#defaults()}. */
    static RateLimiter create(Redkit redkit) {
        return create(redkit, RateLimiterOptions.defaults());
    }

    /** A limiter on {@code redkit} with {@code options}. */
    static RateLimiter create(Redkit redkit, RateLimiterOptions options) {
        return new RedisRateLimiter(redkit.namespace(options.namespace()), options);
    }

    /** Checks one request of cost 1 against {@code policy} for {@code key}, consuming when allowed. */
    default Decision check(RatePolicy policy, String key) {
        return check(1, LimitedKey.of(policy, key));
    }

    /**
     * Checks one request of weight {@code cost} against every limit at once: allowed only when
     * every limit has room for {@code cost}, in which case {@code cost} is taken from each; when
     * denied, nothing is taken from any.
     *
     * @param cost units the request takes, from 1 to the smallest limit (for GCRA: burst) among {@code limits};
     *        times the number of exact-window limits, at most {@link #MAX_EXACT_UNITS_PER_CHECK}
     * @param limits at least one, at most {@link #MAX_LIMITS_PER_CHECK}; all keys share one hash tag
     * @throws IllegalArgumentException for a bad cost, duplicate limits, or keys in different hash slots
     */
    Decision check(long cost, LimitedKey... limits);

    /** {@link #check(long, LimitedKey...)} with a list. */
    default Decision check(long cost, List<LimitedKey> limits) {
        return check(cost, limits.toArray(new LimitedKey[0]));
    }

    /**
     * Reserves first, settles after: takes {@code cost} from every limit exactly as
     * {@link #check(long, LimitedKey...)} does (atomically, all-or-nothing; a denial is a normal
     * denial with its retry-after and takes nothing) and returns a {@link Reservation} to settle once
     * the outcome is known: {@link Reservation#release()} gives the cost back (the attempt should not
     * count), {@link Reservation#keep()} leaves it counted. This is the pattern for limits that count
     * only failures (logins): reservations in flight count like admissions, so N concurrent attempts
     * get at most {@code limit} through, across every process, where inspecting first and charging on
     * failure lets all N pass the inspection before any is charged. See {@link Reservation} for what a
     * release gives back and what is not covered (an unsettled reservation stays counted).
     *
     * <p>A reservation is always its own script call (never coalesced). When Redis is unreachable the
     * policy's {@link FailureMode} decides, and the reservation cannot be released.
     *
     * @throws IllegalArgumentException as {@link #check(long, LimitedKey...)}
     */
    Reservation reserve(long cost, LimitedKey... limits);

    /** {@link #reserve(long, LimitedKey...)} of cost 1 against one limit. */
    default Reservation reserve(RatePolicy policy, String key) {
        return reserve(1, LimitedKey.of(policy, key));
    }

    /**
     * Like {@link #check(RatePolicy, String)} but throws when denied.
     *
     * @return the allowing decision
     * @throws RateLimitException carrying the denial
     */
    default Decision acquire(RatePolicy policy, String key) {
        Decision d = check(policy, key);
        if (!d.allowed()) {
            throw new RateLimitException(d);
        }
        return d;
    }

    /**
     * The current usage of {@code key} under {@code policy}, consuming nothing: whether a request of
     * cost 1 would be allowed now, and the remaining units, reset and retry-after as a check would
     * report them. Ignores the denied cache.
     *
     * @throws io.redkit.core.RedisUnavailableException when Redis is unreachable (no failure mode applies)
     */
    Decision inspect(RatePolicy policy, String key);

    /**
     * Forgets {@code key}'s usage under {@code policy} (e.g. failed logins after a successful one),
     * in Redis, in this process's denied cache and in its local fallback.
     *
     * @throws io.redkit.core.RedisUnavailableException when Redis is unreachable
     */
    void reset(RatePolicy policy, String key);

    /**
     * Counts one denial of {@code key} under {@code policy} for {@link #topDenied}, shared by every
     * process using the same Redis. Costs Redis nothing per call: the denial is counted in this
     * process (per policy, hour and key) and a background thread sends the counts every
     * {@link RateLimiterOptions#denialFlushInterval()} (one small script per ranking and up to 100
     * keys), so {@link #topDenied} sees it within about that interval, and {@link #close()} sends
     * what is left. Returns at once and never throws for Redis: a denial that cannot be recorded is
     * only counted ({@code redkit.ratelimit.denials.unrecorded} with tag {@code policy}, when the
     * options have a meter registry) and logged at debug level — Redis failed during the flush, a
     * new key arrived while 10,000 distinct keys were already waiting for the next flush, the
     * limiter was closed, or Redis was being skipped after a failure (see
     * {@link RateLimiterOptions#unavailableBackoff()}). Checks never record by themselves;
     * {@code RateLimitFilter} (redkit-web) records its 429s by default.
     *
     * <p><b>Stored data:</b> {@code key} is stored in Redis as given, e.g. the client's IP address or
     * user id, for up to about two hours (see {@link #topDenied}).
     *
     * @param key the key that was denied, as checked (1 to {@link LimitedKey#MAX_KEY_LENGTH} characters)
     * @throws IllegalArgumentException for an empty or too long key
     */
    void recordDenial(RatePolicy policy, String key);

    /**
     * The keys of the policy named {@code policy} with the most {@linkplain #recordDenial recorded
     * denials} over the current and the previous clock hour (UTC, i.e. the last 60 to 120 minutes),
     * across every process, most denied first (ties by key). Two reads of at most about
     * 2 &times; {@link #MAX_TOP_DENIED} entries each.
     *
     * <p>Approximate for keys outside the top: each hour's ranking of a policy keeps about the
     * {@link #MAX_TOP_DENIED} most denied keys (when it holds twice that many, the least denied are
     * dropped), so a flood of distinct keys may drop keys denied only a few times, and a key dropped
     * from one hour counts only the other's denials. The heaviest keys are exact, apart from
     * denials whose recording failed. Hours come from this process's clock (the options' clock when
     * set, else the system clock); processes only need clocks within a few minutes of each other.
     *
     * @param policy a policy name
     * @param n how many keys at most, 1 to {@link #MAX_TOP_DENIED}
     * @return at most {@code n} keys; empty when none was recorded
     * @throws IllegalArgumentException for a blank policy name or {@code n} out of range
     * @throws io.redkit.core.RedisUnavailableException when Redis is unreachable
     */
    List<DeniedKey> topDenied(String policy, int n);

    /**
     * Sends the denials {@linkplain #recordDenial recorded} and not yet flushed to Redis, waiting at
     * most about twice the command timeout, and stops the background flush. Call it before closing
     * the {@code Redkit} it uses. Checks, inspections and resets keep working afterwards; denials
     * recorded afterwards are dropped (counted as unrecorded). Idempotent; never throws for Redis.
     */
    @Override
    void close();

    /** The most limits one check may combine: 16. */
    int MAX_LIMITS_PER_CHECK = 16;

    /**
     * The most entries one check (or reservation) may write to {@link Algorithm#SLIDING_WINDOW}
     * logs: 1,000. The exact window records one sorted-set entry per unit, so a check's work in
     * Redis grows with {@code cost} &times; its exact limits; a check above this bound is rejected
     * with an {@link IllegalArgumentException} before anything is sent, and a coalesced batch never
     * carries more than this many exact units in one script call. The counter and GCRA do the same
     * work whatever the cost and are not bounded by it.
     */
    int MAX_EXACT_UNITS_PER_CHECK = 1_000;

    /** The most keys {@link #topDenied} returns, and about how many it keeps per policy and hour: 1,000. */
    int MAX_TOP_DENIED = 1_000;
}
