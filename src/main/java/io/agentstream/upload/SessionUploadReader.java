package io.agentstream.upload;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.agentstream.event.IngestJson;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import io.agentstream.problem.FieldPaths;
import io.agentstream.validation.StorableText;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Turns a JSON upload body into a checked {@link SessionUpload}: strict JSON, the message
 * count limit (413), then every field rule at once, each bad field named as
 * {@code messages[3].content}.
 */
@Component
class SessionUploadReader {

    private static final int MAX_ERRORS = 100;

    private final Validator validator;
    private final UploadProperties properties;

    SessionUploadReader(Validator validator, UploadProperties properties) {
        this.validator = validator;
        this.properties = properties;
    }

    SessionUpload read(InputStream body, int length) {
        if (length == 0) {
            throw invalid("The request body is empty; send {conversation, agents, messages}.", List.of());
        }
        SessionUpload upload;
        try {
            upload = IngestJson.MAPPER.readValue(body, SessionUpload.class);
        } catch (StreamReadException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw invalid("A field has the wrong type.", List.of(new FieldError(path(e), "has the wrong type")));
        }
        if (upload == null) {
            throw invalid("The body must be a JSON object {conversation, agents, messages}.", List.of());
        }
        if (upload.messages() != null && upload.messages().size() > properties.maxMessages()) {
            throw properties.tooManyMessages(upload.messages().size());
        }
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<SessionUpload> violation : validator.validate(upload)) {
            errors.add(new FieldError(FieldPaths.wire(violation.getPropertyPath().toString()), violation.getMessage()));
        }
        StorableText.findUnstorable(upload, "", FieldPaths::wire, (path, message) -> errors.add(new FieldError(path, message)));
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing(FieldError::field));
            throw invalid(errors.size() + (errors.size() == 1 ? " field is" : " fields are") + " invalid; nothing was stored.",
                    errors.subList(0, Math.min(errors.size(), MAX_ERRORS)));
        }
        return upload;
    }

    private static String path(JacksonException e) {
        String path = FieldPaths.jsonPath("", e);
        return path.isEmpty() ? "(body)" : path;
    }

    private static ApiProblem invalid(String detail, List<FieldError> errors) {
        ApiProblem problem = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-upload", "Invalid upload", detail);
        return errors.isEmpty() ? problem : problem.withErrors(errors);
    }
}
