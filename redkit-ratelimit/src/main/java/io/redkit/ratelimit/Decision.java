package io.redkit.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer to a rate-limit check: allowed or not, and the numbers an HTTP response needs (limit,
 * remaining, reset, retry-after). Denial is a result, not an exception. Immutable.
 *
 * <p>For a check over several limits the top-level numbers are those of the deciding limit: when
 * denied, the denying limit with the longest retry-after; when allowed, the limit with the fewest
 * units remaining. {@link #limits()} has one decision per limit, in the order given, except for
 * a denial answered by the {@link Source#DENIED_CACHE} or by {@link Reason#FAIL_CLOSED}, which
 * lists only the limits that denied.
 */
public final class Decision {
    /** Why the check decided as it did. */
    public enum Reason {
        /** Every limit had room; the cost was taken from each. */
        WITHIN_LIMIT,
        /** A limit had no room; nothing was taken from any limit. */
        OVER_LIMIT,
        /** Redis was unreachable (or could not serve, e.g. out of memory) and the policy fails open: allowed without counting. */
        FAIL_OPEN,
        /** Redis was unreachable (or could not serve, e.g. out of memory) and the policy fails closed: denied. */
        FAIL_CLOSED
    }

    /** Where the decision came from. */
    public enum Source {
        /** The check script on Redis. */
        REDIS,
        /** The local cache of keys known to be denied until an instant: no round trip. */
        DENIED_CACHE,
        /** The in-process limiter of a {@link FailureMode#LOCAL} policy, while Redis was unreachable. */
        LOCAL_FALLBACK,
        /** Nothing counted: the failure mode decided ({@link Reason#FAIL_OPEN} or {@link Reason#FAIL_CLOSED}). */
        FAILURE_MODE
    }

    private final boolean allowed;
    private final Reason reason;
    private final Source source;
    private final RatePolicy policy;
    private final String key;
    private final long remaining;
    private final Duration resetAfter;
    private final Duration retryAfter;
    private final List<Decision> limits;

    private Decision(boolean allowed, Reason reason, Source source, RatePolicy policy, String key, long remaining,
                     Duration resetAfter, Duration retryAfter, List<Decision> limits) {
        this.allowed = allowed;
        this.reason = reason;
        this.source = source;
        this.policy = policy;
        this.key = key;
        this.remaining = remaining;
        this.resetAfter = resetAfter;
        this.retryAfter = retryAfter;
        this.limits = limits == null ? List.of(this) : List.copyOf(limits);
    }

    /** One limit's decision. Used by limiter implementations; {@code retryAfter} is zero when allowed. */
    public static Decision of(boolean allowed, Reason reason, Source source, RatePolicy policy, String key,
                              long remaining, Duration resetAfter, Duration retryAfter) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(key, "key");
        return new Decision(allowed, reason, source, policy, key, Math.max(0, remaining),
                nonNegative(resetAfter), allowed ? Duration.ZERO : nonNegative(retryAfter), null);
    }

    /**
     * Combines per-limit decisions of one all-or-nothing check: allowed only when every part is,
     * with the deciding part's numbers (see the class comment).
     */
    public static Decision combine(List<Decision> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no limits to combine");
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Decision decider = null;
        boolean allowed = parts.stream().allMatch(Decision::allowed);
        for (Decision d : parts) {
            if (allowed) {
                if (decider == null || d.remaining < decider.remaining) decider = d;
            } else if (!d.allowed && (decider == null || d.retryAfter.compareTo(decider.retryAfter) > 0)) {
                decider = d;
            }
        }
        Reason reason = decider.reason;
        if (!allowed && reason == Reason.WITHIN_LIMIT) {
            reason = Reason.OVER_LIMIT;
        }
        return new Decision(allowed, reason, decider.source, decider.policy, decider.key, decider.remaining,
                decider.resetAfter, decider.retryAfter, parts);
    }

    private static Duration nonNegative(Duration d) {
        return d == null || d.isNegative() ? Duration.ZERO : d;
    }

    /** Whether the request may proceed. */
    public boolean allowed() {
        return allowed;
    }

    public Reason reason() {
        return reason;
    }

    public Source source() {
        return source;
    }

    /** The deciding limit's policy. */
    public RatePolicy policy() {
        return policy;
    }

    /** The deciding limit's key, as the caller passed it. */
    public String key() {
        return key;
    }

    /** The deciding limit's units per window. */
    public long limit() {
        return policy.limit();
    }

    /** Units left in the deciding limit after this request (0 when denied and full). */
    public long remaining() {
        return remaining;
    }

    /** How long until the deciding limit is wholly available again if nothing more arrives; zero when it already is. */
    public Duration resetAfter() {
        return resetAfter;
    }

    /** How long to wait before the same request could be allowed; zero when allowed. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** One decision per limit of the check, in the order given (a single-limit check: this one). */
    public List<Decision> limits() {
        return limits;
    }

    @Override
    public String toString() {
        return "Decision{" + (allowed ? "allowed" : "denied") + ", " + reason + " via " + source + ", policy=" + policy.name()
                + ", key=" + key + ", limit=" + limit() + ", remaining=" + remaining + ", resetAfter=" + resetAfter
                + ", retryAfter=" + retryAfter + (limits.size() > 1 ? ", limits=" + limits.size() : "") + "}";
    }
}
