package io.agentstream.config;

/**
 * A configuration variable holds a value agentstream cannot run with. Start-up stops and
 * {@link InvalidConfigurationFailureAnalyzer} tells the operator which variable to fix.
 * The message never repeats the value: it may be a password or a key.
 */
public class InvalidConfigurationException extends RuntimeException {

    private final String variable;
    private final String reason;

    public InvalidConfigurationException(String variable, String reason) {
        super(variable + " " + reason);
        this.variable = variable;
        this.reason = reason;
    }

    public String variable() {
        return variable;
    }

    public String reason() {
        return reason;
    }
}
