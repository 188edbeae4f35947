package io.redkit.ratelimit;

import io.redkit.core.RedkitException;

/**
 * A request was denied by {@link RateLimiter#acquire}. Carries the {@link Decision}, whose
 * {@link Decision#retryAfter()} says when to try again. {@link RateLimiter#check} never throws it:
 * there, denial is a result.
 */
public class RateLimitException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final transient Decision decision;

    public RateLimitException(Decision decision) {
        super("rate limited by policy " + decision.policy().name() + " (" + decision.reason() + "): retry after "
                + decision.retryAfter());
        this.decision = decision;
    }

    /** The denial. */
    public Decision decision() {
        return decision;
    }
}
