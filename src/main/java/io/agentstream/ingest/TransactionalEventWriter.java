package io.agentstream.ingest;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.agentstream.database.Queries;
import io.agentstream.ingest.event.ConversationCompleted;
import io.agentstream.ingest.event.ConversationError;
import io.agentstream.ingest.event.ConversationStarted;
import io.agentstream.ingest.event.MessageCreated;
import io.agentstream.ingest.event.Participant;
import io.agentstream.ingest.event.Summary;
import io.agentstream.ingest.event.SystemInfo;
import io.agentstream.stream.EventsCommitted;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes one event per transaction: make sure the conversation row exists, claim the
 * dedup key by inserting the event (a conflict means a retry, and the transaction then
 * changes nothing), then apply the event's effect on conversations and messages.
 * Conversation totals are incremented in SQL under the row lock, so they stay exact under
 * any concurrency.
 */
@Component
class TransactionalEventWriter implements EventWriter {

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final IngestProperties properties;
    private final ApplicationEventPublisher publisher;

    TransactionalEventWriter(DatabaseClient db, TransactionalOperator transactions, IngestProperties properties,
                             ApplicationEventPublisher publisher) {
        this.db = db;
        this.transactions = transactions;
        this.properties = properties;
        this.publisher = publisher;
    }

    @Override
    public Mono<WriteResult> write(IngestEvent event) {
        Mono<WriteResult> work = ensureConversation(event)
                .then(insertEvent(event))
                .flatMap(eventId -> applyEffect(event, eventId).thenReturn(new WriteResult(eventId, false)))
                .switchIfEmpty(Mono.defer(() -> originalEventId(event).map(id -> new WriteResult(id, true))));
        return Queries.bounded(transactions.transactional(work)
                .doOnSuccess(result -> {
                    if (result != null && !result.duplicate()) {
                        publisher.publishEvent(EventsCommitted.INSTANCE);
                    }
                }), properties.writeTimeout());
    }

    private Mono<Void> ensureConversation(IngestEvent event) {
        if (event.conversationId() == null) {
            return Mono.empty();
        }
        return db.sql(IngestSql.ENSURE_CONVERSATION)
                .bind("id", event.conversationId())
                .bind("source", event.source())
                .then();
    }

    private Mono<Long> insertEvent(IngestEvent event) {
        GenericExecuteSpec spec = db.sql(IngestSql.INSERT_EVENT)
                .bind("type", event.type().wireName())
                .bind("occurred_at", event.timestamp())
                .bind("dedup_key", event.dedupKey())
                .bind("source", event.source())
                .bind("payload", IngestJson.MAPPER.writeValueAsString(event.raw()));
        spec = bind(spec, "conversation_id", event.conversationId(), String.class);
        return spec.map(row -> row.get("id", Long.class)).first();
    }

    private Mono<Long> originalEventId(IngestEvent event) {
        return db.sql(IngestSql.ORIGINAL_EVENT_ID)
                .bind("dedup_key", event.dedupKey())
                .map(row -> row.get("id", Long.class))
                .first()
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("dedup key conflicted but no event holds it")));
    }

    private Mono<Void> applyEffect(IngestEvent event, long eventId) {
        return switch (event.data()) {
            case MessageCreated message -> addMessage(event, message, eventId);
            case ConversationStarted started -> start(event, started);
            case ConversationCompleted completed -> complete(event, completed);
            case ConversationError error -> fail(error);
            default -> Mono.empty();
        };
    }

    private Mono<Void> addMessage(IngestEvent event, MessageCreated m, long eventId) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("conversation_id", m.conversationId());
        values.put("message_id", event.messageId());
        values.put("event_id", eventId);
        values.put("agent_id", m.agentId());
        values.put("agent_type", m.agentType());
        values.put("agent_name", m.agentName());
        values.put("agent_version", m.agentVersion());
        values.put("role", m.role());
        values.put("content", m.content());
        values.put("sequence_number", toInt(m.sequenceNumber()));
        values.put("turn_number", toInt(m.turnNumber()));
        values.put("tokens_used", m.tokensUsed());
        values.put("input_tokens", m.inputTokens());
        values.put("output_tokens", m.outputTokens());
        values.put("cost", m.cost());
        values.put("model", m.model());
        values.put("duration_ms", m.durationMs());
        values.put("created_at", event.timestamp());
        Mono<Long> inserted = bindAll(db.sql(IngestSql.INSERT_MESSAGE), values, MESSAGE_TYPES)
                .map(row -> row.get("id", Long.class))
                .first();
        return inserted.flatMap(id -> {
            GenericExecuteSpec totals = db.sql(IngestSql.ADD_MESSAGE_TO_TOTALS)
                    .bind("id", m.conversationId())
                    .bind("tokens", orZero(m.effectiveTokens()))
                    .bind("input_tokens", orZero(m.inputTokens()))
                    .bind("output_tokens", orZero(m.outputTokens()))
                    .bind("cost", m.cost() == null ? BigDecimal.ZERO : m.cost())
                    .bind("duration_ms", orZero(m.durationMs()));
            return bind(totals, "turn_number", toInt(m.turnNumber()), Integer.class).then();
        });
    }

    private Mono<Void> start(IngestEvent event, ConversationStarted s) {
        SystemInfo info = s.systemInfo();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", s.conversationId());
        values.put("mode", s.mode());
        values.put("initial_prompt", s.initialPrompt());
        values.put("max_turns", toInt(s.maxTurns()));
        values.put("command", s.command() == null ? null : IngestJson.MAPPER.writeValueAsString(s.command()));
        values.put("agentpipe_version", info.agentpipeVersion());
        values.put("os", info.os());
        values.put("os_version", info.osVersion());
        values.put("go_version", info.goVersion());
        values.put("architecture", info.effectiveArchitecture());
        values.put("started_at", event.timestamp());
        Mono<Void> update = bindAll(db.sql(IngestSql.START_CONVERSATION), values, START_TYPES).then();
        Mono<Void> clear = db.sql(IngestSql.DELETE_PARTICIPANTS).bind("id", s.conversationId()).then();
        List<Participant> participants = s.effectiveParticipants();
        Flux<Void> inserts = Flux.range(0, participants.size())
                .concatMap(position -> insertParticipant(s.conversationId(), position, participants.get(position)));
        // The update takes the conversation's row lock first, so concurrent starts of one
        // conversation replace its participants one after the other.
        return update.then(clear).thenMany(inserts).then();
    }

    private Mono<Void> insertParticipant(String conversationId, int position, Participant p) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", conversationId);
        values.put("position", position);
        values.put("agent_type", p.agentType());
        values.put("agent_id", p.agentId());
        values.put("name", p.name());
        values.put("agent_version", p.agentVersion());
        values.put("model", p.model());
        values.put("prompt", p.prompt());
        values.put("cli_version", p.cliVersion());
        return bindAll(db.sql(IngestSql.INSERT_PARTICIPANT), values, Map.of("position", Integer.class)).then();
    }

    private Mono<Void> complete(IngestEvent event, ConversationCompleted c) {
        Summary summary = c.summary() != null ? c.summary() : new Summary(null, null, null, null, null, null, null, null, null);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", c.conversationId());
        values.put("status", c.conversationStatus());
        values.put("completed_at", event.timestamp());
        values.put("total_messages", c.totalMessages());
        values.put("total_turns", toInt(c.totalTurns()));
        values.put("total_tokens", c.totalTokens());
        values.put("total_cost", c.totalCost());
        values.put("duration_seconds", c.durationSeconds());
        values.put("summary_short_text", summary.shortText());
        values.put("summary_text", summary.text());
        values.put("summary_agent_type", summary.agentType());
        values.put("summary_model", summary.model());
        values.put("summary_input_tokens", summary.inputTokens());
        values.put("summary_output_tokens", summary.outputTokens());
        values.put("summary_total_tokens", summary.totalTokens());
        values.put("summary_cost", summary.cost());
        values.put("summary_duration_ms", summary.durationMs());
        return bindAll(db.sql(IngestSql.COMPLETE_CONVERSATION), values, COMPLETE_TYPES).then();
    }

    private Mono<Void> fail(ConversationError e) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", e.conversationId());
        values.put("error_message", e.errorMessage());
        values.put("error_type", e.errorType());
        values.put("error_agent_type", e.agentType());
        return bindAll(db.sql(IngestSql.FAIL_CONVERSATION), values, Map.of()).then();
    }

    // Java types of nullable non-text parameters, so that a null binds with the right SQL type.
    private static final Map<String, Class<?>> MESSAGE_TYPES = Map.of(
            "sequence_number", Integer.class, "turn_number", Integer.class, "tokens_used", Long.class,
            "input_tokens", Long.class, "output_tokens", Long.class, "cost", BigDecimal.class,
            "duration_ms", Long.class, "event_id", Long.class);
    private static final Map<String, Class<?>> START_TYPES = Map.of("max_turns", Integer.class);
    private static final Map<String, Class<?>> COMPLETE_TYPES = Map.of(
            "total_messages", Long.class, "total_turns", Integer.class, "total_tokens", Long.class,
            "total_cost", BigDecimal.class, "duration_seconds", BigDecimal.class,
            "summary_input_tokens", Long.class, "summary_output_tokens", Long.class,
            "summary_total_tokens", Long.class, "summary_cost", BigDecimal.class, "summary_duration_ms", Long.class);

    private static GenericExecuteSpec bindAll(GenericExecuteSpec spec, Map<String, Object> values, Map<String, Class<?>> types) {
        for (Map.Entry<String, Object> value : values.entrySet()) {
            spec = bind(spec, value.getKey(), value.getValue(), types.getOrDefault(value.getKey(), String.class));
        }
        return spec;
    }

    private static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, Object value, Class<?> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

    private static long orZero(Long value) {
        return value == null ? 0L : value;
    }

    private static Integer toInt(Long value) {
        // Validation bounds these to the integer range.
        return value == null ? null : Math.toIntExact(value);
    }
}
