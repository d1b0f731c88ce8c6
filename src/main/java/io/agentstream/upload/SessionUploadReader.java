package io.agentstream.upload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

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
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;

/**
 * Turns a JSON upload body into a checked {@link SessionUpload}: strict JSON read as a stream,
 * the message count limit (413) at the one too many, then every field rule at once, each bad
 * field named as {@code messages[3].content} (the first 100, with the count of all).
 */
@Component
class SessionUploadReader {

    private static final int MAX_ERRORS = 100;
    /** Agents of one conversation: a handful in practice, bounded so that the list is too. */
    static final int MAX_AGENTS = 1_000;

    private final Validator validator;
    private final UploadProperties properties;

    SessionUploadReader(Validator validator, UploadProperties properties) {
        this.validator = validator;
        this.properties = properties;
    }

    SessionUpload read(byte[] body) {
        if (body.length == 0) {
            throw invalid("The request body is empty; send {conversation, agents, messages}.", List.of());
        }
        SessionUpload upload;
        try (JsonParser json = IngestJson.MAPPER.createParser(body)) {
            upload = read(json);
        } catch (StreamReadException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (TypeError e) {
            throw invalid("A field has the wrong type.", List.of(new FieldError(e.path, "has the wrong type")));
        }
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<SessionUpload> violation : validator.validate(upload)) {
            errors.add(new FieldError(FieldPaths.wire(violation.getPropertyPath().toString()), violation.getMessage()));
        }
        StorableText.findUnstorable(upload, "", FieldPaths::wire, (path, message) -> errors.add(new FieldError(path, message)));
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing(FieldError::field));
            throw invalid(errors.size() + (errors.size() == 1 ? " field is" : " fields are") + " invalid; nothing was stored"
                    + (errors.size() > MAX_ERRORS ? " (the first " + MAX_ERRORS + " are listed)" : "") + ".",
                    errors.subList(0, Math.min(errors.size(), MAX_ERRORS)));
        }
        return upload;
    }

    /**
     * Reads the object member by member, and the messages one at a time, so that an upload with
     * more than UPLOAD_MAX_MESSAGES messages (or {@value #MAX_AGENTS} agents) is refused at the
     * one too many, before the rest is bound.
     */
    private SessionUpload read(JsonParser json) {
        JsonToken first = json.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw invalid("The body must be a JSON object {conversation, agents, messages}.", List.of());
        }
        SessionUpload.Conversation conversation = null;
        List<SessionUpload.Agent> agents = null;
        List<SessionUpload.Message> messages = null;
        while (json.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = json.currentName();
            JsonToken value = json.nextToken();
            switch (name) {
                case "conversation" -> conversation = value == JsonToken.VALUE_NULL ? null
                        : bind(json, SessionUpload.Conversation.class, "conversation");
                case "agents" -> agents = list(json, SessionUpload.Agent.class, "agents", MAX_AGENTS,
                        () -> new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-many-agents", "Too many agents",
                                "An upload holds at most " + MAX_AGENTS + " agents; this one has more."));
                case "messages" -> messages = list(json, SessionUpload.Message.class, "messages", properties.maxMessages(),
                        properties::tooManyMessages);
                default -> json.skipChildren();
            }
        }
        if (json.nextToken() != null) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
                    "The body is not valid JSON: more follows the object.");
        }
        return new SessionUpload(conversation, agents, messages);
    }

    /** A list member read element by element: null for JSON null, refused past {@code max} elements. */
    private static <T> List<T> list(JsonParser json, Class<T> type, String name, int max, Supplier<ApiProblem> tooMany) {
        if (json.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (json.currentToken() != JsonToken.START_ARRAY) {
            throw new TypeError(name);
        }
        List<T> elements = new ArrayList<>();
        while (json.nextToken() != JsonToken.END_ARRAY) {
            if (elements.size() == max) {
                throw tooMany.get();
            }
            String at = name + "[" + elements.size() + "]";
            elements.add(json.currentToken() == JsonToken.VALUE_NULL ? null : bind(json, type, at));
        }
        return elements;
    }

    private static <T> T bind(JsonParser json, Class<T> type, String at) {
        try {
            return VALUE.forType(type).readValue(json);
        } catch (StreamReadException e) {
            throw e;
        } catch (JacksonException e) {
            throw new TypeError(FieldPaths.jsonPath(at, e));
        }
    }

    /** One member at a time: the end of the body is checked once the object is read. */
    private static final ObjectReader VALUE = IngestJson.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A member of the wrong type, by its path in the body. */
    private static final class TypeError extends RuntimeException {

        private final String path;

        TypeError(String path) {
            super(path, null, false, false);
            this.path = path.isEmpty() ? "(body)" : path;
        }
    }

    private static ApiProblem invalid(String detail, List<FieldError> errors) {
        ApiProblem problem = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-upload", "Invalid upload", detail);
        return errors.isEmpty() ? problem : problem.withErrors(errors);
    }
}
