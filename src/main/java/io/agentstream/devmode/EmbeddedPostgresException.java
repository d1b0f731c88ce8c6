package io.agentstream.devmode;

/**
 * The embedded PostgreSQL of development mode cannot run. The message is one sentence for
 * the operator: what is wrong and what to do (often: set DATABASE_URL).
 */
public class EmbeddedPostgresException extends RuntimeException {

    public EmbeddedPostgresException(String message) {
        super(message);
    }
}
