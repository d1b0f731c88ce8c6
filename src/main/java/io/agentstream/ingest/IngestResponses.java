package io.agentstream.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

import io.agentstream.event.IngestEvent;
import io.agentstream.ingest.EventWriter.WriteResult;
import org.springframework.http.HttpStatus;

/**
 * Response bodies as the AgentPipe web app answers them, so the CLI and tools written
 * against it work unchanged, plus {@code event_id} (the stream offset) and, for a retry,
 * {@code duplicate: true}.
 */
final class IngestResponses {

    private IngestResponses() {
    }

    record Ack(HttpStatus status, Map<String, Object> body) {
    }

    static Ack ack(IngestEvent event, WriteResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        HttpStatus status = switch (event.type()) {
            case CONVERSATION_STARTED -> {
                body.put("conversation_id", event.conversationId());
                yield HttpStatus.CREATED;
            }
            case MESSAGE_CREATED -> {
                body.put("message_id", event.messageId());
                yield HttpStatus.CREATED;
            }
            default -> {
                body.put("success", true);
                yield HttpStatus.OK;
            }
        };
        body.put("event_id", result.eventId());
        if (result.duplicate()) {
            body.put("duplicate", true);
        }
        return new Ack(status, body);
    }
}
