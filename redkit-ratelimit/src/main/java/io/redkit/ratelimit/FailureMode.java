package io.redkit.ratelimit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a {@link RatePolicy} decides when Redis cannot be reached, does not answer within the
 * command timeout, or answers that it cannot serve now ({@code OOM}, {@code READONLY},
 * {@code MISCONF}, {@code BUSY}, ...; see {@link RateLimiter}).
 */
public enum FailureMode {
    /**
     * Allow the request ({@link Decision.Reason#FAIL_OPEN}); the event is counted and logged at most
     * once per {@link RateLimiterOptions#logInterval()}. Right for general API limits, where an
     * outage of Redis should not become an outage of the service.
     */
    OPEN("open"),
    /**
     * Deny the request with the distinct reason {@link Decision.Reason#FAIL_CLOSED} and a
     * retry-after of {@link RateLimiterOptions#failClosedRetryAfter()}.
     */
    CLOSED("closed"),
    /**
     * Decide with an in-process limiter of the same policy (per JVM, so a fleet of {@code n}
     * instances admits up to {@code n * limit} while Redis is away). The sensible choice for
     * login, registration and password reset: an outage does not open the door to credential
     * stuffing, and users are not locked out.
     */
    LOCAL("local");

    private final String id;

    FailureMode(String id) {
        this.id = id;
    }

    /** The name used in configuration: {@code open}, {@code closed}, {@code local}. */
    public String id() {
        return id;
    }

    /** The names {@link #parse} accepts, for messages. */
    public static String allowed() {
        return Arrays.stream(values()).map(FailureMode::id).collect(Collectors.joining(", "));
    }

    /**
     * The mode named {@code text} (any case).
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static FailureMode parse(String text) {
        if (text != null) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (FailureMode m : values()) {
                if (m.id.equals(t)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown rate-limit failure mode \"" + text + "\": allowed are " + allowed());
    }
}
