package io.agentstream.devmode;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

class EmbeddedPostgresFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedPostgresException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedPostgresException cause) {
        return new FailureAnalysis("Development mode (DATABASE_URL unset): " + cause.getMessage() + ".", "", cause);
    }
}
