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
 * <p><b>Failures.</b> When Redis is unreachable or slower than the command timeout, each limit is
 * decided by its {@link FailureMode}; no call waits longer than about the command timeout. Errors
 * Redis answers (e.g. a foreign value under a limiter key) are thrown as
 * {@link io.redkit.core.RedisCommandException}.
 *
 * <p>Thread-safe; share one per process. Arguments must not be {@code null}.
 */
public interface RateLimiter {
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
     * @param cost units the request takes, from 1 to the smallest limit (for GCRA: burst) among {@code limits}
     * @param limits at least one, at most {@link #MAX_LIMITS_PER_CHECK}; all keys share one hash tag
     * @throws IllegalArgumentException for a bad cost, duplicate limits, or keys in different hash slots
     */
    Decision check(long cost, LimitedKey... limits);

    /** {@link #check(long, LimitedKey...)} with a list. */
    default Decision check(long cost, List<LimitedKey> limits) {
        return check(cost, limits.toArray(new LimitedKey[0]));
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

    /** The most limits one check may combine: 16. */
    int MAX_LIMITS_PER_CHECK = 16;
}
