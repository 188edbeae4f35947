package io.redkit.ratelimit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a {@link RatePolicy} counts. Each check is one Lua script and one round trip whatever the
 * algorithm; they differ in accuracy, memory per key and burst behaviour.
 */
public enum Algorithm {
    /**
     * Exact sliding window: a log of admitted units. Never admits more than {@code limit} units in
     * any window of length {@code window} (half-open {@code (t - window, t]}), under any
     * concurrency. Memory grows with the limit: at most {@code limit} entries per key (about 60–100
     * bytes each). The default.
     */
    SLIDING_WINDOW("sliding-window", "sw", 1),
    /**
     * Sliding window counter: two fixed buckets, the previous one weighted by how much of it still
     * overlaps the window. O(1) memory (one short string per key). Approximate: it never admits more
     * than {@code limit} in one aligned bucket {@code [k*window, (k+1)*window)}, but a sliding
     * window straddling two buckets may hold up to {@code limit + previous-bucket count * overlap},
     * i.e. strictly less than {@code 2 * limit} in the adversarial worst case (everything at the end
     * of one bucket); with traffic spread over the window the error is a few percent.
     */
    // "sc2": the state became a string (it was a hash under "sc"), so keys of the two formats never meet
    SLIDING_COUNTER("sliding-counter", "sc2", 2),
    /**
     * GCRA (generic cell rate algorithm), the token bucket without a refill timer: one integer per
     * key (the theoretical arrival time). Smooth: units are spaced {@code window / limit} apart,
     * with up to {@code burst} (by default {@code limit}) at once. In any interval of length
     * {@code d} it admits at most {@code burst + limit * d / window} units.
     */
    GCRA("gcra", "gcra", 3);

    private final String id;
    private final String keyCode;
    private final int scriptCode;

    Algorithm(String id, String keyCode, int scriptCode) {
        this.id = id;
        this.keyCode = keyCode;
        this.scriptCode = scriptCode;
    }

    /** The name used in configuration: {@code sliding-window}, {@code sliding-counter}, {@code gcra}. */
    public String id() {
        return id;
    }

    /** The short code in state keys, so a policy that changes algorithm never meets its old state. */
    public String keyCode() {
        return keyCode;
    }

    /** The code the check script understands. */
    public int scriptCode() {
        return scriptCode;
    }

    /** The names {@link #parse} accepts, for messages. */
    public static String allowed() {
        return Arrays.stream(values()).map(Algorithm::id).collect(Collectors.joining(", "));
    }

    /**
     * The algorithm named {@code text} (its {@link #id()} or enum name, any case).
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static Algorithm parse(String text) {
        if (text != null) {
            String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Algorithm a : values()) {
                if (a.id.equals(t)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("unknown rate-limit algorithm \"" + text + "\": allowed are " + allowed());
    }
}
