package io.redkit.core;

/**
 * A configuration value is missing or wrong. The message names the variable (or builder option),
 * shows the value it got (passwords masked) and says what is allowed.
 */
public class RedkitConfigException extends RedkitException {
    private static final long serialVersionUID = 1L;

    private final String variable;
    private final String value;

    public RedkitConfigException(String variable, String value, String allowed) {
        super(variable + "=" + (value == null ? "<unset>" : "\"" + value + "\"") + " is invalid: " + allowed);
        this.variable = variable;
        this.value = value;
    }

    /** The environment variable or builder option that was wrong, e.g. {@code REDIS_QUEUE_DB}. */
    public String variable() {
        return variable;
    }

    /** The value as shown in the message (a password is masked); {@code null} when unset. */
    public String value() {
        return value;
    }
}
