package io.agentstream.ingest;

import java.util.List;

import io.agentstream.event.EventType;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;

/** An event (or body) that cannot be accepted as sent; the CLI does not retry these. */
final class InvalidEventException extends ApiProblem {

    private InvalidEventException(String kind, String title, String detail) {
        super(HttpStatus.BAD_REQUEST, kind, title, detail);
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
