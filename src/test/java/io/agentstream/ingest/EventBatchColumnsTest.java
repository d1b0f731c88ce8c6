package io.agentstream.ingest;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import io.agentstream.event.BridgeConnected;
import io.agentstream.event.EventType;
import io.agentstream.event.IngestEvent;
import io.agentstream.event.IngestJson;
import io.agentstream.event.MessageCreated;
import io.agentstream.ingest.EventWriter.WriteResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch builder: which events of a batch are written (the first of each dedup key), in
 * which order conversations are locked, what each event's result is, and the parameter arrays
 * of the multi-row statements (one per column, row i at index i, nulls kept).
 */
class EventBatchColumnsTest {

    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-20T10:15:07.654321Z");

    private static IngestEvent message(String conversation, String messageId, String dedupKey, BigDecimal cost, Long tokens) {
        MessageCreated data = new MessageCreated(conversation, messageId, "claude-1", "claude", "Architect", null, "agent",
                "content of " + messageId, 1L, 2L, tokens, null, null, cost, "claude-sonnet-4", 5234L);
        return new IngestEvent(EventType.MESSAGE_CREATED, AT, data, raw(dedupKey), dedupKey, messageId, "cli-stream", "env-0123456789ab");
    }

    private static IngestEvent bridge(String dedupKey) {
        return new IngestEvent(EventType.BRIDGE_CONNECTED, AT, new BridgeConnected(null, "2026-11-20T10:15:07Z"), raw(dedupKey),
                dedupKey, null, "cli-stream", null);
    }

    private static ObjectNode raw(String marker) {
        return IngestJson.MAPPER.createObjectNode().put("marker", marker);
    }

    @Test
    void theFirstEventOfEachDedupKeyIsWrittenAndConversationsAreLockedInIdOrder() {
        List<IngestEvent> events = List.of(message("conv-b", "m1", "k1", null, 1L), bridge("k2"),
                message("conv-a", "m2", "k3", null, 1L), message("conv-b", "m1", "k1", null, 1L));
        EventBatchWriter.Batch batch = new EventBatchWriter.Batch(events);

        assertThat(batch.firsts).containsExactly(0, 1, 2);
        assertThat(batch.firstEvents()).containsExactly(events.get(0), events.get(1), events.get(2));
        assertThat(batch.conversations.keySet()).containsExactly("conv-a", "conv-b");

        // k1 stored now at offset 7 (the retry at index 3 is its duplicate); k2 was stored before at 3; k3 now at 8.
        List<WriteResult> results = batch.results(Map.of("k1", 7L, "k3", 8L), Map.of("k2", 3L));
        assertThat(results).containsExactly(new WriteResult(7, false), new WriteResult(3, true), new WriteResult(8, false),
                new WriteResult(7, true));
        assertThat(EventBatchWriter.messageRows(batch, results)).extracting(MessageRows.Row::messageId, MessageRows.Row::eventId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", 7L), org.assertj.core.groups.Tuple.tuple("m2", 8L));
    }

    @Test
    void eventColumnsHoldOneValuePerEventInArrivalOrder() {
        Map<String, String[]> columns = EventBatchWriter.eventColumns(List.of(message("conv-a", "m1", "k1", null, 1L), bridge("k2")));
        assertThat(columns).containsOnlyKeys("types", "conversation_ids", "occurred_ats", "dedup_keys", "sources", "payloads",
                "key_ids");
        assertThat(columns.get("key_ids")).containsExactly("env-0123456789ab", null);
        assertThat(columns.get("types")).containsExactly("message.created", "bridge.connected");
        assertThat(columns.get("conversation_ids")).containsExactly("conv-a", null);
        assertThat(columns.get("occurred_ats")).containsExactly("2026-11-20T10:15:07.654321Z", "2026-11-20T10:15:07.654321Z");
        assertThat(columns.get("dedup_keys")).containsExactly("k1", "k2");
        assertThat(columns.get("payloads")).containsExactly("{\"marker\":\"k1\"}", "{\"marker\":\"k2\"}");
    }

    @Test
    void messageColumnsKeepNullsAndWriteCostsInPlainDecimal() {
        MessageRows.Row first = new MessageRows.Row("conv-a", "m1", 7L, null, "claude", null, null, null, "hi", 1L, null, null,
                301L, 111L, new BigDecimal("2.13E-3"), null, null, "2026-11-20T10:15:07Z", "key-7");
        MessageRows.Row uploaded = new MessageRows.Row("conv-a", "m2", null, "a", "gemini", "G", "1.0", "agent", "there", 2L, 1L,
                412L, null, null, null, "gemini-2", 10L, "2026-11-20T10:15:08Z", null);
        Map<String, String[]> columns = MessageRows.columns(List.of(first, uploaded));
        assertThat(columns).hasSize(19);
        assertThat(columns.get("key_ids")).containsExactly("key-7", null);
        assertThat(columns.values()).allSatisfy(column -> assertThat(column).hasSize(2));
        assertThat(columns.get("event_ids")).containsExactly("7", null);
        assertThat(columns.get("costs")).containsExactly("0.00213", null);
        assertThat(columns.get("tokens_used")).containsExactly(null, "412");
        assertThat(columns.get("agent_ids")).containsExactly(null, "a");
        assertThat(columns.get("created_ats")).containsExactly("2026-11-20T10:15:07Z", "2026-11-20T10:15:08Z");
    }
}
