package io.agentstream.ingest;

import static io.agentstream.database.ArrayParameters.column;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.agentstream.event.EventType;
import io.agentstream.event.IngestEvent;
import io.agentstream.event.IngestJson;
import io.agentstream.event.MessageCreated;
import io.agentstream.ingest.EventWriter.WriteResult;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes a batch of events with a fixed, small number of statements whatever its size,
 * inside the caller's transaction: make sure every named conversation has a row and lock
 * those rows (in id order), insert the events (a stored dedup key is a retry and changes
 * nothing), insert the new messages and raise each conversation's totals once, then apply
 * the few lifecycle events in arrival order.
 *
 * <p>Within a batch an event whose dedup key an earlier one carries is that event's retry:
 * it gets the earlier one's offset and {@code duplicate: true}, exactly as if it had
 * arrived after the earlier one committed.
 */
@Component
class EventBatchWriter {

    private final DatabaseClient db;
    private final MessageRows messageRows;
    private final ConversationEffects effects;

    EventBatchWriter(DatabaseClient db, ConversationEffects effects, MessageRows messageRows) {
        this.db = db;
        this.messageRows = messageRows;
        this.effects = effects;
    }

    /** Results in the order of {@code events}. Join a transaction: alone, each statement commits by itself. */
    Mono<List<WriteResult>> write(List<IngestEvent> events) {
        Batch batch = new Batch(events);
        return lockConversations(batch)
                .then(insertEvents(batch))
                .flatMap(stored -> originalIds(batch, stored).map(originals -> batch.results(stored, originals)))
                .flatMap(results -> insertMessages(batch, results)
                        .then(Flux.fromIterable(batch.firsts)
                                .filter(index -> !results.get(index).duplicate())
                                .concatMap(index -> effects.apply(events.get(index)))
                                .then())
                        .thenReturn(results));
    }

    private Mono<Void> lockConversations(Batch batch) {
        if (batch.conversations.isEmpty()) {
            return Mono.empty();
        }
        String[] ids = batch.conversations.keySet().toArray(String[]::new);
        String[] sources = batch.conversations.values().toArray(String[]::new);
        Mono<Void> ensure = db.sql(IngestSql.ENSURE_CONVERSATIONS).bind("ids", ids).bind("sources", sources).then();
        Mono<Void> lock = db.sql(IngestSql.LOCK_CONVERSATIONS).bind("ids", ids).map(row -> 1).all().then();
        return ensure.then(lock);
    }

    /** dedup key → offset, for the events this batch stored. */
    private Mono<Map<String, Long>> insertEvents(Batch batch) {
        GenericExecuteSpec insert = db.sql(IngestSql.INSERT_EVENTS);
        for (Map.Entry<String, String[]> column : eventColumns(batch.firstEvents()).entrySet()) {
            insert = insert.bind(column.getKey(), column.getValue());
        }
        return insert
                .map(row -> Map.entry(row.get("dedup_key", String.class), row.get("id", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** The INSERT_EVENTS parameters: one array per column, in arrival order. */
    static Map<String, String[]> eventColumns(List<IngestEvent> events) {
        Map<String, String[]> columns = new LinkedHashMap<>();
        columns.put("types", column(events, event -> event.type().wireName()));
        columns.put("conversation_ids", column(events, IngestEvent::conversationId));
        columns.put("occurred_ats", column(events, event -> TIMESTAMP.format(event.timestamp())));
        columns.put("dedup_keys", column(events, IngestEvent::dedupKey));
        columns.put("sources", column(events, IngestEvent::source));
        columns.put("payloads", column(events, event -> IngestJson.MAPPER.writeValueAsString(event.raw())));
        columns.put("key_ids", column(events, IngestEvent::keyId));
        return columns;
    }

    /** dedup key → offset of the stored original, for the events that were retries. */
    private Mono<Map<String, Long>> originalIds(Batch batch, Map<String, Long> stored) {
        String[] retried = batch.firstEvents().stream().map(IngestEvent::dedupKey)
                .filter(key -> !stored.containsKey(key)).toArray(String[]::new);
        if (retried.length == 0) {
            return Mono.just(Map.of());
        }
        return db.sql(IngestSql.ORIGINAL_EVENT_IDS).bind("dedup_keys", retried)
                .map(row -> Map.entry(row.get("dedup_key", String.class), row.get("id", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .doOnNext(originals -> {
                    if (originals.size() != retried.length) {
                        // Deleted between the conflict and this read (retention, or an admin delete).
                        throw new IllegalStateException("a dedup key conflicted but no stored event holds it");
                    }
                });
    }

    private Mono<Void> insertMessages(Batch batch, List<WriteResult> results) {
        return messageRows.insert(messageRows(batch, results)).then();
    }

    /** The rows of the batch's new messages: first of their dedup key, and not already stored. */
    static List<MessageRows.Row> messageRows(Batch batch, List<WriteResult> results) {
        List<MessageRows.Row> rows = new ArrayList<>();
        for (int index : batch.firsts) {
            IngestEvent event = batch.events.get(index);
            if (event.type() == EventType.MESSAGE_CREATED && !results.get(index).duplicate()) {
                MessageCreated m = (MessageCreated) event.data();
                rows.add(new MessageRows.Row(m.conversationId(), event.messageId(), results.get(index).eventId(), m.agentId(),
                        m.agentType(), m.agentName(), m.agentVersion(), m.role(), m.content(), m.sequenceNumber(),
                        m.turnNumber(), m.tokensUsed(), m.inputTokens(), m.outputTokens(), m.cost(), m.model(),
                        m.durationMs(), TIMESTAMP.format(event.timestamp()), event.keyId()));
            }
        }
        return rows;
    }

    // Seconds always written: PostgreSQL reads this text exactly as the driver's own timestamps.
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;


    /** The batch's events, which of them come first with their dedup key, and the conversations they name. */
    static final class Batch {

        final List<IngestEvent> events;
        /** For each event, the index of the first event with its dedup key (itself, usually). */
        final int[] firstWithKey;
        /** Indexes of events whose dedup key no earlier event of the batch carries, in arrival order. */
        final List<Integer> firsts = new ArrayList<>();
        /** Conversation id → source of the first event naming it, in id order (the lock order). */
        final TreeMap<String, String> conversations = new TreeMap<>();

        Batch(List<IngestEvent> events) {
            this.events = events;
            this.firstWithKey = new int[events.size()];
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                IngestEvent event = events.get(i);
                Integer first = seen.putIfAbsent(event.dedupKey(), i);
                firstWithKey[i] = first == null ? i : first;
                if (first == null) {
                    firsts.add(i);
                }
                if (event.conversationId() != null) {
                    conversations.putIfAbsent(event.conversationId(), event.source());
                }
            }
        }

        List<IngestEvent> firstEvents() {
            return firsts.stream().map(events::get).toList();
        }

        List<WriteResult> results(Map<String, Long> stored, Map<String, Long> originals) {
            List<WriteResult> results = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                String key = events.get(i).dedupKey();
                Long offset = stored.get(key);
                boolean storedNow = offset != null && firstWithKey[i] == i;
                results.add(new WriteResult(offset != null ? offset : originals.get(key), !storedNow));
            }
            return results;
        }
    }
}
