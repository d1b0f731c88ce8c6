package io.agentstream.ingest;

import static io.agentstream.database.NamedParameters.bindAll;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.agentstream.event.ConversationCompleted;
import io.agentstream.event.ConversationError;
import io.agentstream.event.ConversationStarted;
import io.agentstream.event.IngestEvent;
import io.agentstream.event.IngestJson;
import io.agentstream.event.Participant;
import io.agentstream.event.Summary;
import io.agentstream.event.SystemInfo;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What {@code conversation.started}, {@code .completed} and {@code .error} do to their
 * conversation. They are few (a handful per conversation, against hundreds of messages),
 * so each runs as its own statements, in arrival order inside the caller's transaction:
 * their order matters (an error after the completion must not overturn it).
 */
@Component
class ConversationEffects {

    private final DatabaseClient db;

    ConversationEffects(DatabaseClient db) {
        this.db = db;
    }

    /** Nothing for the other types: messages are written in bulk, the rest only logged. */
    Mono<Void> apply(IngestEvent event) {
        return switch (event.data()) {
            case ConversationStarted started -> start(event, started);
            case ConversationCompleted completed -> complete(event, completed);
            case ConversationError error -> fail(error);
            default -> Mono.empty();
        };
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
    private static final Map<String, Class<?>> START_TYPES = Map.of("max_turns", Integer.class);
    private static final Map<String, Class<?>> COMPLETE_TYPES = Map.of(
            "total_messages", Long.class, "total_turns", Integer.class, "total_tokens", Long.class,
            "total_cost", BigDecimal.class, "duration_seconds", BigDecimal.class,
            "summary_input_tokens", Long.class, "summary_output_tokens", Long.class,
            "summary_total_tokens", Long.class, "summary_cost", BigDecimal.class, "summary_duration_ms", Long.class);

    private static Integer toInt(Long value) {
        // Validation bounds these to the integer range.
        return value == null ? null : Math.toIntExact(value);
    }
}
