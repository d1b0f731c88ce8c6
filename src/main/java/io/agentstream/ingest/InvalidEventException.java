package io.agentstream.ingest;

import java.util.List;

import io.agentstream.event.EventType;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;

/** An event (or body) that cannot be accepted as sent; the CLI does not retry these. */
final class InvalidEventException extends ApiProblem {

    private InvalidEventException(String kind, String title, String detail) {
        this(HttpStatus.BAD_REQUEST, kind, title, detail);
    }

    private InvalidEventException(HttpStatus status, String kind, String title, String detail) {
        super(status, kind, title, detail);
    }

    /** 413: one event larger than INGEST_MAX_EVENT_SIZE, as sent (an ndjson line) or as it would be stored. */
    static InvalidEventException tooLarge(long size, long maxEventSize) {
        return new InvalidEventException(HttpStatus.CONTENT_TOO_LARGE, "event-too-large", "Event too large",
                "The event takes " + size + " bytes; an event may take at most " + maxEventSize
                        + " bytes (INGEST_MAX_EVENT_SIZE).");
    }

    /** 413: more events in one body than INGEST_MAX_BATCH_SIZE, refused as soon as the one too many is read. */
    static ApiProblem batchTooLarge(int maxBatchSize) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "batch-too-large", "Batch too large",
                "A batch holds at most " + maxBatchSize + " events (INGEST_MAX_BATCH_SIZE); this one has more.");
    }

    static InvalidEventException invalidFields(List<FieldError> errors) {
        InvalidEventException e = new InvalidEventException("invalid-event", "Invalid event",
                errors.size() == 1 ? "1 field is invalid." : errors.size() + " fields are invalid.");
        e.withErrors(errors);
        return e;
    }

    static InvalidEventException unknownType(String type) {
        InvalidEventException e = new InvalidEventException("unknown-event-type", "Unknown event type",
                "Event type '" + abbreviate(type) + "' is not one of: " + String.join(", ", EventType.wireNames()) + ".");
        e.withErrors(List.of(new FieldError("type", "must be one of " + String.join(", ", EventType.wireNames()))));
        e.withProperty("known_types", EventType.wireNames());
        return e;
    }

    static InvalidEventException malformed(String detail) {
        return new InvalidEventException("malformed-json", "Malformed JSON", detail);
    }

    static InvalidEventException badBody(String detail) {
        return new InvalidEventException("invalid-body", "Invalid request body", detail);
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
