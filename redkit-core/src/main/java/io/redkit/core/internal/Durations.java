package io.redkit.core.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses human durations as used in environment variables: {@code 500ms}, {@code 2s}, {@code 15m},
 * {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT2S}). A bare number is rejected: its unit would be
 * a guess.
 */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** The allowed forms, for error messages. */
    public static final String ALLOWED = "a duration with a unit, e.g. 500ms, 2s, 15m, 1h, 7d or ISO-8601 PT2S";

    /**
     * Parses {@code text}; throws {@link IllegalArgumentException} naming {@code what} when the
     * text is not a duration.
     */
    public static Duration parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is empty: expected " + ALLOWED);
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                default: return Duration.ofDays(n);
            }
        }
        if (t.startsWith("p") || t.startsWith("-p")) {
            try {
                return Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException(what + " \"" + text + "\" is not a duration: expected " + ALLOWED);
    }

    /** Formats a duration the way {@link #parse} reads it, in the largest exact unit. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
