package io.redkit.core;

/**
 * The root of Redkit's unchecked exceptions. Every failure that leaves a public Redkit API is a
 * {@code RedkitException} (or a plain {@link IllegalArgumentException} for bad arguments); Lettuce
 * exceptions are wrapped, never leaked.
 */
public class RedkitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RedkitException(String message) {
        super(message);
    }

    public RedkitException(String message, Throwable cause) {
        super(message, cause);
    }
}
