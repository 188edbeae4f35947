package io.redkit.ratelimit;

import io.redkit.core.internal.Checks;

/**
 * A rate-limit key and how many of its requests were denied recently, one entry of
 * {@link RateLimiter#topDenied(String, int)}. Immutable.
 *
 * @param key the key as it was checked and recorded, e.g. {@code {203.0.113.7}} or
 *            {@code {203.0.113.7}:alice} from the servlet filter: the rate-limit subject (an IP
 *            address, a user or account id, an API key), usable with {@link RateLimiter#inspect}
 *            and {@link RateLimiter#reset}
 * @param denials denials counted over the period, across every process
 */
public record DeniedKey(String key, long denials) {
    public DeniedKey {
        Checks.notNull(key, "key");
    }
}
