package io.agentstream.config;

import java.sql.SQLException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.NestedExceptionUtils;

/**
 * Start-up could not connect to PostgreSQL (the migrations connect first): one line saying
 * why, in the driver's words (a certificate that does not verify, a server that requires
 * TLS, a refused password), instead of pages of stack trace. The driver's messages never
 * carry the password.
 */
class DatabaseConnectionFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
        Throwable specific = NestedExceptionUtils.getMostSpecificCause(cause);
        String reason = oneLine(cause.getMessage());
        if (specific != cause && specific.getMessage() != null && !reason.contains(oneLine(specific.getMessage()))) {
            reason = reason + " (" + oneLine(specific.getMessage()) + ")";
        }
        return new FailureAnalysis("Could not connect to PostgreSQL given by DATABASE_URL: " + reason,
                "Check DATABASE_URL: host, port, user and password, and its TLS parameters (sslmode, sslrootcert, "
                        + "sslcert, sslkey) against what the server requires.", cause);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }
}
