package io.agentstream.event;

import java.time.OffsetDateTime;

import io.agentstream.event.EventData;
import io.agentstream.event.EventType;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated event, ready to be written.
 *
 * @param raw       the event exactly as received (unknown fields included), stored as jsonb
 * @param dedupKey  identifies retries of the same event: unique in the events table
 * @param messageId for {@code message.created}: the CLI's id, or one derived from the
 *                  dedup key so that a retry gets the same id; null for other types
 * @param source    {@code cli-stream} for live ingest
 * @param keyId     the id of the API key that sent it (audit); null when none is known
 */
public record IngestEvent(
        EventType type,
        OffsetDateTime timestamp,
        EventData data,
        ObjectNode raw,
        String dedupKey,
        String messageId,
        String source,
        String keyId) {

    public IngestEvent withKeyId(String keyId) {
        return new IngestEvent(type, timestamp, data, raw, dedupKey, messageId, source, keyId);
    }

    public String conversationId() {
        return data.conversationId();
    }
}
