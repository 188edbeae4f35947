package io.redkit.session;

import io.redkit.core.RedkitException;

/**
 * A session operation that cannot be done as asked, for example rotating a session through an id
 * that was already rotated, or an attribute value that cannot be stored as JSON. Redis being
 * unreachable is reported as {@link io.redkit.core.RedisUnavailableException} instead.
 */
public class SessionException extends RedkitException {
    private static final long serialVersionUID = 1L;

    public SessionException(String message) {
        super(message);
    }

    public SessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
