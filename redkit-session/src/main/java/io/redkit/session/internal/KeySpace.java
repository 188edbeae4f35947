package io.redkit.session.internal;

import io.redkit.core.RedisNamespace;

/**
 * Every Redis key of the session store. A tag is 16 base64url characters and becomes the hash
 * tag, so a session, its aliases and its user's index share a slot on Redis Cluster.
 *
 * <pre>
 * &lt;prefix&gt;:sess:{tag}:s:&lt;handle&gt;   session hash (or, briefly, an alias left by a routine rotation)
 * &lt;prefix&gt;:sess:{tag}:idx            user index: ZSET of handles scored by expiry (ms)
 * &lt;prefix&gt;:sess:{events}:stream      capped stream of session events
 * &lt;prefix&gt;:sess:{active}:&lt;w&gt;:&lt;n&gt;    sessions expiring in [n * w, (n + 1) * w) ms (a counter, see ActiveSessions)
 * </pre>
 * where {@code <prefix>} is the namespace prefix, e.g. {@code redkit:session}.
 */
public final class KeySpace {
    private final String base;

    public KeySpace(RedisNamespace ns) {
        this.base = ns.key("sess");
    }

    /** The session hash of {@code handle} under {@code tag}. */
    public String session(String tag, String handle) {
        return sessionPrefix(tag) + handle;
    }

    /** The session keys of {@code tag} without the handle (passed to scripts that reach several sessions). */
    public String sessionPrefix(String tag) {
        return base + ":{" + tag + "}:s:";
    }

    /** The user index of {@code tag}. */
    public String index(String tag) {
        return base + ":{" + tag + "}:idx";
    }

    /** The event stream. */
    public String events() {
        return base + ":{events}:stream";
    }

    /**
     * The active-session counter of bucket {@code bucket} for buckets {@code widthMs} wide. All counters
     * share the hash tag {@code {active}}, so one script or one {@code MGET} reaches any set of them on Cluster.
     */
    public String active(long widthMs, long bucket) {
        return base + ":{active}:" + widthMs + ":" + bucket;
    }

    /** A {@code SCAN MATCH} pattern for every user index. */
    public String indexPattern() {
        return globEscape(base) + ":{*}:idx";
    }

    private static String globEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
