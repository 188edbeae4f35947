package io.redkit.ratelimit;

import io.redkit.core.internal.Checks;

import java.util.Objects;

/**
 * A policy applied to one key, one part of a multi-limit check such as login's "5 per account and
 * IP, 20 per IP". Immutable.
 *
 * <p>Keys are free text (at most {@link #MAX_KEY_LENGTH} characters). All keys of one check must
 * share a Redis Cluster hash tag, so the check stays one atomic script: put the shared subject in
 * braces, e.g. {@code "{203.0.113.7}:alice"} and {@code "{203.0.113.7}"}. A key without a tag gets
 * the whole key as its tag.
 */
public final class LimitedKey {
    /** The longest key accepted. */
    public static final int MAX_KEY_LENGTH = 1024;

    private final RatePolicy policy;
    private final String key;

    private LimitedKey(RatePolicy policy, String key) {
        this.policy = Checks.notNull(policy, "policy");
        Checks.notNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("rate-limit key for policy " + policy.name() + " must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("rate-limit key for policy " + policy.name() + " must be at most "
                    + MAX_KEY_LENGTH + " characters: " + key.length());
        }
        this.key = key;
    }

    /** {@code policy} applied to {@code key}. */
    public static LimitedKey of(RatePolicy policy, String key) {
        return new LimitedKey(policy, key);
    }

    public RatePolicy policy() {
        return policy;
    }

    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LimitedKey && ((LimitedKey) o).policy.equals(policy) && ((LimitedKey) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, key);
    }

    @Override
    public String toString() {
        return policy.name() + ":" + key;
    }
}
