package io.redkit.ratelimit.internal;

import io.lettuce.core.cluster.SlotHash;
import io.redkit.core.RedisNamespace;
import io.redkit.ratelimit.RatePolicy;

/**
 * Every Redis key name of the rate limiter, and nothing else builds one:
 * {@code <prefix>:<namespace>:rl:<policy>:<algorithm>:<key>}, where {@code <key>} keeps the
 * caller's hash tag ({@code {subject}...}) or is wrapped in braces whole. The algorithm code keeps
 * a policy that changes algorithm away from state of another type. The denial rankings are
 * {@code <prefix>:<namespace>:rl-denied:<policy>:<hour>}, {@code <hour>} counted in hours since the epoch.
 */
public final class KeySpace {
    private final RedisNamespace namespace;

    public KeySpace(RedisNamespace namespace) {
        this.namespace = namespace;
    }

    /** The state key of {@code key} under {@code policy}. */
    public String stateKey(RatePolicy policy, String key) {
        return namespace.key("rl", policy.name(), policy.algorithm().keyCode(), tagged(key));
    }

    /** The ranking of the keys denied under the policy named {@code policy} during clock hour {@code hour} (hours since the epoch). */
    public String denied(String policy, long hour) {
        return namespace.key("rl-denied", policy, Long.toString(hour));
    }

    /** {@code key} if it has a non-empty hash tag, else {@code {key}}. */
    static String tagged(String key) {
        return hasTag(key) ? key : "{" + key + "}";
    }

    /** Whether Redis Cluster would hash {@code key} by a tag: a '{' followed later by a '}' with something between. */
    static boolean hasTag(String key) {
        int open = key.indexOf('{');
        if (open < 0) {
            return false;
        }
        int close = key.indexOf('}', open + 1);
        return close > open + 1;
    }

    /** The Redis Cluster slot of a state key. */
    static int slot(String stateKey) {
        return SlotHash.getSlot(stateKey);
    }
}
