package io.agentstream.stream;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.agentstream.event.EventType;
import io.agentstream.http.QueryParameters;
import io.agentstream.validation.Identifiers;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The query parameters of the stream and of {@code /api/events}, checked up front: every
 * bad parameter is named in one 400 problem.
 */
final class StreamQuery {

    /** Resume with every retained event. */
    static final long EARLIEST = -1;

    /** Types the log holds: what the CLI sends, and what an upload records. */
    static final List<String> KNOWN_TYPES = EventType.storedWireNames();

    private static final Pattern OFFSET = Pattern.compile("\\d{1,18}");

    private final QueryParameters query;

    private StreamQuery(ServerHttpRequest request) {
        this.query = new QueryParameters(request);
    }

    /** The stream's parameters. */
    record StreamParams(EventFilter filter, Long resumeAfter, boolean named) {
    }

    /** {@code /api/events} parameters; {@code keyId} (admin only) selects one API key's events, else null. */
    record PageParams(EventFilter filter, long after, int limit, String keyId) {
    }

    /**
     * A key id: a stored key's id as the key list shows it (7) or as recorded (key-7), or a
     * key from the environment's "env-" and 12 hex digits.
     */
    private static final Pattern KEY_ID = Pattern.compile("(key-)?\\d{1,18}|env-[0-9a-f]{12}");

    static StreamParams stream(ServerHttpRequest request) {
        StreamQuery query = new StreamQuery(request);
        EventFilter filter = query.filter();
        String header = request.getHeaders().getFirst("Last-Event-ID");
        String resume = query.query.single("last_event_id");
        Long resumeAfter = null;
        if (resume != null) {
            resumeAfter = query.resumePosition("last_event_id", resume);
        } else if (header != null && !header.isBlank()) {
            resumeAfter = query.resumePosition("Last-Event-ID", header.strip());
        }
        boolean named = query.bool("named");
        query.query.failIfInvalid();
        return new StreamParams(filter, resumeAfter, named);
    }

    static PageParams page(ServerHttpRequest request, int defaultLimit, int maxLimit) {
        StreamQuery stream = new StreamQuery(request);
        EventFilter filter = stream.filter();
        QueryParameters query = stream.query;
        String afterText = query.single("after");
        long after = 0;
        if (afterText != null) {
            if (OFFSET.matcher(afterText).matches()) {
                after = Long.parseLong(afterText);
            } else {
                query.reject("after", "must be an event offset (a non-negative integer)");
            }
        }
        int limit = query.integer("limit", defaultLimit, 1, maxLimit);
        String keyId = query.single("key_id");
        if (keyId != null && !KEY_ID.matcher(keyId).matches()) {
            query.reject("key_id", "must be a key id: a stored key's id (7 or key-7) or env- and 12 hex digits");
            keyId = null;
        } else if (keyId != null && Character.isDigit(keyId.charAt(0))) {
            keyId = "key-" + keyId;
        }
        query.failIfInvalid();
        return new PageParams(filter, after, limit, keyId);
    }

    private EventFilter filter() {
        String conversation = query.single("conversation_id");
        String alias = query.single("conversationId");
        if (conversation != null && alias != null && !conversation.equals(alias)) {
            query.reject("conversation_id", "conversation_id and conversationId disagree");
        }
        if (conversation == null) {
            conversation = alias;
        }
        if (conversation != null && !Identifiers.isValid(conversation)) {
            query.reject("conversation_id", Identifiers.MESSAGE);
            conversation = null;
        }
        Set<String> types = null;
        String typesText = query.single("types");
        if (typesText != null) {
            types = new LinkedHashSet<>();
            for (String type : typesText.split(",", -1)) {
                String name = type.strip();
                if (!KNOWN_TYPES.contains(name)) {
                    query.reject("types", "unknown event type '" + abbreviate(name)
                            + "'; known types: " + String.join(", ", KNOWN_TYPES));
                } else {
                    types.add(name);
                }
            }
        }
        return new EventFilter(conversation, types);
    }

    private Long resumePosition(String name, String value) {
        if (value.equals("earliest")) {
            return EARLIEST;
        }
        if (OFFSET.matcher(value).matches()) {
            return Long.parseLong(value);
        }
        query.reject(name, "must be an event id (a non-negative integer) or 'earliest'");
        return null;
    }

    private boolean bool(String name) {
        String value = query.single(name);
        if (value == null) {
            return false;
        }
        if (!value.equals("true") && !value.equals("false")) {
            query.reject(name, "must be true or false");
        }
        return value.equals("true");
    }

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "…";
    }
}
