package io.agentstream.ingest;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.agentstream.event.EventData;
import io.agentstream.event.EventType;
import io.agentstream.event.IngestEvent;
import io.agentstream.event.IngestJson;
import io.agentstream.event.MessageCreated;
import io.agentstream.http.BodyLines;
import io.agentstream.problem.FieldError;
import io.agentstream.problem.FieldPaths;
import io.agentstream.validation.Rfc3339Validator;
import io.agentstream.validation.StorableText;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns request bytes into validated {@link IngestEvent}s: strict JSON, a known type, an
 * RFC 3339 timestamp, a data object that binds to its record and passes Jakarta
 * Validation. Every bad field is reported by its wire name ({@code data.content}).
 */
@Component
class EventParser {


    private final Validator validator;
    private final IngestProperties properties;

    EventParser(Validator validator, IngestProperties properties) {
        this.validator = validator;
        this.properties = properties;
    }

    /**
     * Parses one value (a whole JSON body, or an ndjson line) as JSON; syntax errors are
     * {@link InvalidEventException}s.
     */
    JsonNode readTree(byte[] body) {
        if (body.length == 0) {
            throw InvalidEventException.badBody("The request body is empty; send one event as a JSON object.");
        }
        JsonNode root;
        try {
            root = IngestJson.MAPPER.readTree(body);
        } catch (StreamReadException e) {
            throw InvalidEventException.malformed("The body is not valid JSON: " + describe(e));
        } catch (JacksonException e) {
            throw InvalidEventException.malformed("The body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw InvalidEventException.badBody("The request body holds only whitespace; send one event as a JSON object.");
        }
        return root;
    }

    /** What a JSON body holds: one event, or a batch as a JSON array. */
    sealed interface JsonBody {

        record One(JsonNode event) implements JsonBody {
        }

        record Batch(List<ParsedLine> events) implements JsonBody {
        }
    }

    /**
     * A JSON body, read as a stream: an array is read element by element and refused (413) as
     * soon as it holds more than INGEST_MAX_BATCH_SIZE events, before the rest is parsed.
     */
    JsonBody readJson(byte[] body) {
        if (body.length == 0) {
            throw InvalidEventException.badBody("The request body is empty; send one event as a JSON object.");
        }
        try (JsonParser json = IngestJson.MAPPER.createParser(body)) {
            JsonToken first = json.nextToken();
            if (first == null) {
                throw InvalidEventException.badBody("The request body holds only whitespace; send one event as a JSON object.");
            }
            if (first != JsonToken.START_ARRAY) {
                JsonNode event = ELEMENT.readValue(json);
                requireEnd(json);
                return new JsonBody.One(event);
            }
            List<ParsedLine> events = new ArrayList<>();
            while (json.nextToken() != JsonToken.END_ARRAY) {
                if (events.size() == properties.maxBatchSize()) {
                    throw InvalidEventException.batchTooLarge(properties.maxBatchSize());
                }
                events.add(new ParsedLine(ELEMENT.readValue(json), null, null));
            }
            requireEnd(json);
            return new JsonBody.Batch(events);
        } catch (StreamReadException e) {
            throw InvalidEventException.malformed("The body is not valid JSON: " + describe(e));
        } catch (JacksonException e) {
            throw InvalidEventException.malformed("The body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** One value of a body at a time: the body's end is checked once, by {@link #requireEnd}. */
    private static final ObjectReader ELEMENT = IngestJson.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static void requireEnd(JsonParser json) {
        if (json.nextToken() != null) {
            throw InvalidEventException.malformed("The body is not valid JSON: more follows the value (line "
                    + json.currentLocation().getLineNr() + ", column " + json.currentLocation().getColumnNr() + ").");
        }
    }

    /** One line of an {@code application/x-ndjson} body: its JSON, or why it is not an event. */
    ParsedLine readLine(BodyLines.Line line) {
        if (line.tooLong()) {
            return new ParsedLine(null, InvalidEventException.tooLarge(line.length(), properties.maxEventSize().toBytes()),
                    line.number(), line.length());
        }
        try {
            return new ParsedLine(readTree(line.bytes()), null, line.number(), line.length());
        } catch (InvalidEventException e) {
            return new ParsedLine(null, e, line.number(), line.length());
        }
    }

    /**
     * One event of a batch: its JSON or why it is not JSON, its line in an ndjson body (else
     * null), and its size as sent (an ndjson line's bytes; 0 when not known).
     */
    record ParsedLine(JsonNode node, InvalidEventException error, Integer line, long bytes) {

        ParsedLine(JsonNode node, InvalidEventException error, Integer line) {
            this(node, error, line, 0);
        }
    }

    /** Validates one event of a body; throws {@link InvalidEventException} when it is not acceptable. */
    IngestEvent parse(JsonNode node, String source) {
        if (!(node instanceof ObjectNode event)) {
            throw InvalidEventException.badBody("An event must be a JSON object with type, timestamp and data.");
        }
        List<FieldError> errors = new ArrayList<>();
        // PostgreSQL text and jsonb cannot hold U+0000: checked over the whole event, unknown fields included.
        StorableText.findUnstorable(event, "", name -> name, (path, message) -> errors.add(new FieldError(path, message)));

        JsonNode typeNode = event.get("type");
        Optional<EventType> type = Optional.empty();
        if (typeNode == null || typeNode.isNull()) {
            errors.add(new FieldError("type", "is required"));
        } else if (!typeNode.isString()) {
            errors.add(new FieldError("type", "must be a string"));
        } else {
            type = EventType.fromWireName(typeNode.stringValue());
            if (type.isEmpty()) {
                throw InvalidEventException.unknownType(typeNode.stringValue());
            }
        }

        JsonNode timestampNode = event.get("timestamp");
        OffsetDateTime timestamp = null;
        if (timestampNode == null || timestampNode.isNull()) {
            errors.add(new FieldError("timestamp", "is required"));
        } else if (!timestampNode.isString()) {
            errors.add(new FieldError("timestamp", "must be an RFC 3339 timestamp string"));
        } else {
            timestamp = Rfc3339Validator.parse(timestampNode.stringValue()).orElse(null);
            if (timestamp == null) {
                errors.add(new FieldError("timestamp", "must be an RFC 3339 timestamp such as 2026-11-20T10:15:02.123Z"));
            }
        }

        JsonNode dataNode = event.get("data");
        EventData data = null;
        if (dataNode == null || dataNode.isNull()) {
            errors.add(new FieldError("data", "is required"));
        } else if (!dataNode.isObject()) {
            errors.add(new FieldError("data", "must be a JSON object"));
        } else if (type.isPresent()) {
            data = bind(dataNode, type.get(), errors);
        }

        if (data != null) {
            validate(data, errors);
        }
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing(FieldError::field));
            throw InvalidEventException.invalidFields(errors.stream().distinct().toList());
        }
        long size = StoredSize.of(event);
        if (size > properties.maxEventSize().toBytes()) {
            throw InvalidEventException.tooLarge(size, properties.maxEventSize().toBytes());
        }
        return identify(type.get(), timestamp, data, event, source);
    }

    /**
     * Binds data to its record. Jackson stops at the first field of the wrong type; to name
     * every bad field, that field is reported, dropped from a copy, and binding retried;
     * the other fields are then validated as usual. Returns null when any field had the
     * wrong type.
     */
    private EventData bind(JsonNode dataNode, EventType type, List<FieldError> errors) {
        JsonNode candidate = dataNode;
        List<FieldError> typeErrors = new ArrayList<>();
        for (int attempt = 0; attempt < MAX_TYPE_ERRORS; attempt++) {
            try {
                EventData data = IngestJson.MAPPER.treeToValue(candidate, type.dataType());
                if (typeErrors.isEmpty()) {
                    return data;
                }
                // Validate the rest; a dropped field is already reported by its type error.
                List<FieldError> violations = new ArrayList<>();
                validate(data, violations);
                List<String> reported = typeErrors.stream().map(FieldError::field).toList();
                violations.stream().filter(v -> !reported.contains(v.field())).forEach(errors::add);
                return null;
            } catch (JacksonException e) {
                FieldError typeError = new FieldError(FieldPaths.jsonPath("data", e), expectation(e));
                typeErrors.add(typeError);
                errors.add(typeError);
                JsonNode pruned = without(candidate, e.getPath());
                if (pruned == null) {
                    return null;
                }
                candidate = pruned;
            }
        }
        return null;
    }

    private static final int MAX_TYPE_ERRORS = 32;

    private void validate(EventData data, List<FieldError> errors) {
        for (ConstraintViolation<EventData> violation : validator.validate(data)) {
            errors.add(new FieldError("data." + wirePath(violation.getPropertyPath().toString()), violation.getMessage()));
        }
    }

    /** A copy of {@code node} without the element the path points at; null if it cannot be removed. */
    private static JsonNode without(JsonNode node, List<JacksonException.Reference> path) {
        if (path.isEmpty()) {
            return null;
        }
        JsonNode copy = node.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            parent = child(parent, path.get(i));
            if (parent == null) {
                return null;
            }
        }
        JacksonException.Reference last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object && last.getPropertyName() != null && object.has(last.getPropertyName())) {
            object.remove(last.getPropertyName());
            return copy;
        }
        if (parent instanceof ArrayNode array && last.getIndex() >= 0 && last.getIndex() < array.size()) {
            array.remove(last.getIndex());
            return copy;
        }
        return null;
    }

    private static JsonNode child(JsonNode node, JacksonException.Reference reference) {
        if (reference.getPropertyName() != null) {
            return node.get(reference.getPropertyName());
        }
        return reference.getIndex() >= 0 ? node.get(reference.getIndex()) : null;
    }

    private static IngestEvent identify(EventType type, OffsetDateTime timestamp, EventData data, ObjectNode raw, String source) {
        if (data instanceof MessageCreated message) {
            String conversation = message.conversationId();
            String key;
            if (message.messageId() != null) {
                key = "message:" + conversation + ":" + message.messageId();
            } else if (message.sequenceNumber() != null) {
                key = "message-seq:" + conversation + ":" + message.sequenceNumber();
            } else {
                key = "message-hash:" + conversation + ":" + IngestJson.canonicalHash(raw);
            }
            String messageId = message.messageId() != null
                    ? message.messageId()
                    : UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
            return new IngestEvent(type, timestamp, data, raw, key, messageId, source, null);
        }
        return new IngestEvent(type, timestamp, data, raw, type.wireName() + ":" + IngestJson.canonicalHash(raw), null, source,
                null);
    }

    /** {@code participants[0].agentType} becomes {@code participants[0].agent_type}. */
    static String wirePath(String beanPath) {
        return FieldPaths.wire(beanPath);
    }

    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(Long.class, Integer.class, long.class, int.class);

    private static String expectation(JacksonException e) {
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            Class<?> target = mismatch.getTargetType();
            if (WHOLE_NUMBERS.contains(target)) {
                return "must be a whole number";
            }
            if (Number.class.isAssignableFrom(target)) {
                return "must be a number";
            }
            if (target == String.class) {
                return "must be a string";
            }
            if (List.class.isAssignableFrom(target)) {
                return "must be a list";
            }
            return "must be a JSON object";
        }
        if (e instanceof StreamReadException) {
            return "must be a number within range";
        }
        return "has the wrong type";
    }

    private static String describe(StreamReadException e) {
        // Jackson appends where the input was read from; the client knows its own body.
        String message = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*]\\)", "");
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return message;
    }
}
