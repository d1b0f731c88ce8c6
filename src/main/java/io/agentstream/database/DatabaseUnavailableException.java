package io.agentstream.database;

import io.agentstream.problem.ApiProblem;
import org.springframework.http.HttpStatus;

/**
 * PostgreSQL cannot be reached or did not answer in time: nothing was (knowingly) stored.
 * Answered with 503 and {@code Retry-After}, which the AgentPipe CLI retries; the retry is
 * safe because ingest is idempotent even if the write did commit before the timeout.
 */
public class DatabaseUnavailableException extends ApiProblem {

    public static final String RETRY_AFTER_SECONDS = "2";

    private final String reason;

    public DatabaseUnavailableException(Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Database unavailable",
                "The event store is temporarily unreachable; retry after " + RETRY_AFTER_SECONDS + " seconds.", cause);
        this.reason = cause.getClass().getSimpleName();
        withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** The kind of failure, safe to log (no connection string, no SQL parameters). */
    public String reason() {
        return reason;
    }

    @Override
    public String outageReason() {
        return reason;
    }
}
