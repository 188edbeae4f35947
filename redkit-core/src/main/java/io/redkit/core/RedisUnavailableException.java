package io.redkit.core;

/**
 * Redis could not be reached or did not answer within the command timeout. Carries the namespace
 * and the operation that failed; the cause is the client's exception.
 */
public class RedisUnavailableException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final Namespace namespace;
    private final String operation;

    public RedisUnavailableException(Namespace namespace, String operation, Throwable cause) {
        super("Redis for namespace '" + namespace.id() + "' is unavailable during " + operation + ": "
                + (cause == null ? "no answer" : cause.getMessage()), cause);
        this.namespace = namespace;
        this.operation = operation;
    }

    public Namespace namespace() {
        return namespace;
    }

    public String operation() {
        return operation;
    }
}
