package io.redkit.core;

/**
 * Redis answered a command with an error (for example a script error or {@code OOM command not
 * allowed}). Redis was reachable; retrying the same command will usually fail again.
 */
public class RedisCommandException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final Namespace namespace;
    private final String operation;

    public RedisCommandException(Namespace namespace, String operation, Throwable cause) {
        super("Redis for namespace '" + namespace.id() + "' refused " + operation + ": " + cause.getMessage(), cause);
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
