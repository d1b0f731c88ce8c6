package io.agentstream.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

class InvalidConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
        return new FailureAnalysis(
                "Environment variable " + cause.variable() + " " + cause.reason() + ".",
                "Fix " + cause.variable() + " (see .env.example for its format and default) and start again.",
                cause);
    }
}
