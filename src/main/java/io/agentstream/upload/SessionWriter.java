package io.agentstream.upload;

import static io.agentstream.database.ArrayParameters.column;
import static io.agentstream.database.NamedParameters.bindAll;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.agentstream.database.StatementChunks;
import io.agentstream.event.EventType;
import io.agentstream.event.IngestJson;
import io.agentstream.event.Summary;
import io.agentstream.ingest.MessageRows;
import io.agentstream.upload.SessionUpload.Agent;
import io.agentstream.upload.SessionUpload.Conversation;
import io.agentstream.upload.SessionUpload.Message;
import io.agentstream.validation.Rfc3339Validator;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stores a JSON upload. Runs inside the caller's transaction: conversation (new, or a
 * placeholder described now, or known and left as it is), participants (only when none are
 * stored yet), then messages in chunks of multi-row inserts that skip the ones already
 * stored, then one {@code session.uploaded} event when anything was added.
 */
@Component
class SessionWriter {

    static final int CHUNK = 1000;

    private final DatabaseClient db;
    private final MessageRows messageRows;

    SessionWriter(DatabaseClient db, MessageRows messageRows) {
        this.db = db;
        this.messageRows = messageRows;
    }

    /** The conversation's id: as given, else derived from what describes it, so a re-upload finds it again. */
    static String conversationId(Conversation conversation) {
        if (conversation.id() != null) {
            return conversation.id();
        }
        String identity = String.join("\u0000", "upload", String.valueOf(conversation.name()),
                String.valueOf(conversation.mode()), String.valueOf(conversation.initialPrompt()), conversation.startedAt());
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A message's id: as given, else derived from its content and place, so a re-upload skips it. */
    static String messageId(String conversationId, Message message) {
        if (message.messageId() != null) {
            return message.messageId();
        }
        String identity = String.join("\u0000", conversationId, String.valueOf(message.sequenceNumber()),
                message.timestamp(), message.agentType(), String.valueOf(message.agentName()), message.content());
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** @param keyId the id of the key that sent the upload, recorded with its messages and event (audit) */
    Mono<UploadResult> write(SessionUpload upload, String keyId) {
        Conversation conversation = upload.conversation();
        String id = conversationId(conversation);
        return insertConversation(id, conversation)
                .flatMap(created -> describe(id, conversation)
                        .then(insertAgents(id, upload.agents() == null ? List.of() : upload.agents()))
                        .flatMap(agents -> insertMessages(id, upload.messages(), keyId)
                                .flatMap(messages -> finish(id, messages, agents, !created && agents == 0 && messages == 0,
                                        keyId))));
    }

    private Mono<Boolean> insertConversation(String id, Conversation c) {
        GenericExecuteSpec spec = db.sql(UploadSql.INSERT_CONVERSATION);
        Map<String, Object> values = describing(id, c);
        values.put("status", c.status());
        values.put("agentpipe_version", c.systemInfo() == null ? null : c.systemInfo().agentpipeVersion());
        values.put("os", c.systemInfo() == null ? null : c.systemInfo().os());
        values.put("os_version", c.systemInfo() == null ? null : c.systemInfo().osVersion());
        values.put("go_version", c.systemInfo() == null ? null : c.systemInfo().goVersion());
        values.put("architecture", c.systemInfo() == null ? null : c.systemInfo().effectiveArchitecture());
        values.put("completed_at", timestamp(c.completedAt()));
        values.put("total_messages", c.totalMessages());
        values.put("total_turns", c.totalTurns() == null ? null : c.totalTurns().intValue());
        values.put("total_tokens", c.totalTokens());
        values.put("total_cost", c.totalCost());
        values.put("duration_seconds", c.durationSeconds() != null ? c.durationSeconds()
                : c.totalDuration() == null ? null : BigDecimal.valueOf(c.totalDuration(), 3));
        values.put("command", c.command() == null ? null : IngestJson.MAPPER.writeValueAsString(c.command()));
        Summary summary = c.summary();
        values.put("summary_short_text", summary == null ? null : summary.shortText());
        values.put("summary_text", summary == null ? null : summary.text());
        values.put("summary_agent_type", summary == null ? null : summary.agentType());
        values.put("summary_model", summary == null ? null : summary.model());
        values.put("summary_input_tokens", summary == null ? null : summary.inputTokens());
        values.put("summary_output_tokens", summary == null ? null : summary.outputTokens());
        values.put("summary_total_tokens", summary == null ? null : summary.totalTokens());
        values.put("summary_cost", summary == null ? null : summary.cost());
        values.put("summary_duration_ms", summary == null ? null : summary.durationMs());
        values.put("error_message", c.error() == null ? null : c.error().message());
        values.put("error_type", c.error() == null ? null : c.error().type());
        values.put("error_agent_type", c.error() == null ? null : c.error().agentType());
        return bindAll(spec, values, NULL_TYPES).map(row -> true).first().defaultIfEmpty(false);
    }

    private Mono<Void> describe(String id, Conversation c) {
        return bindAll(db.sql(UploadSql.LOCK_AND_DESCRIBE), describing(id, c), NULL_TYPES).then();
    }

    private static Map<String, Object> describing(String id, Conversation c) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", id);
        values.put("name", c.name());
        values.put("mode", c.mode());
        values.put("initial_prompt", c.initialPrompt());
        values.put("max_turns", c.maxTurns() == null ? null : c.maxTurns().intValue());
        values.put("started_at", timestamp(c.startedAt()));
        return values;
    }

    private Mono<Long> insertAgents(String id, List<Agent> agents) {
        if (agents.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql(UploadSql.COUNT_AGENTS).bind("id", id).map(row -> row.get("agents", Long.class)).one()
                .flatMap(stored -> {
                    if (stored > 0) {
                        return Mono.just(0L);
                    }
                    String[] positions = new String[agents.size()];
                    for (int i = 0; i < positions.length; i++) {
                        positions[i] = Integer.toString(i);
                    }
                    return db.sql(UploadSql.INSERT_AGENTS).bind("id", id)
                            .bind("positions", positions)
                            .bind("agent_types", column(agents, Agent::agentType))
                            .bind("names", column(agents, Agent::agentName))
                            .bind("agent_ids", column(agents, Agent::agentId))
                            .bind("models", column(agents, Agent::model))
                            .bind("cli_versions", column(agents, Agent::cliVersion))
                            .bind("agent_versions", column(agents, Agent::agentVersion))
                            .bind("prompts", column(agents, Agent::prompt))
                            .fetch().rowsUpdated();
                });
    }

    private Mono<Long> insertMessages(String id, List<Message> messages, String keyId) {
        // A message's content is most of its bytes; UTF-16 characters count up to three UTF-8 bytes each.
        List<List<Message>> chunks = StatementChunks.of(messages, CHUNK, m -> 3L * m.content().length());
        return Flux.fromIterable(chunks)
                .concatMap(chunk -> messageRows.insert(chunk.stream().map(m -> new MessageRows.Row(id, messageId(id, m), null,
                        m.agentId(), m.agentType(), m.agentName(), m.agentVersion(), m.role(), m.content(), m.sequenceNumber(),
                        m.turnNumber(), m.tokensUsed(), m.inputTokens(), m.outputTokens(), m.cost(), m.model(), m.durationMs(),
                        m.timestamp(), keyId)).toList()))
                .reduce(0L, Long::sum);
    }

    /**
     * Finishes an upload of either format: its totals (the CLI's where it gave them, else the
     * stored ones) and, when anything was added, the one {@code session.uploaded} log event.
     */
    Mono<UploadResult> finish(String id, long messagesCreated, long agentsCreated, boolean duplicate, String keyId) {
        Mono<UploadResult> totals = db.sql(UploadSql.TOTALS).bind("id", id)
                .map(row -> new UploadResult(id, messagesCreated, agentsCreated, row.get("total_tokens", Long.class),
                        row.get("total_cost", BigDecimal.class), duplicate))
                .one();
        return totals.flatMap(result -> duplicate ? Mono.just(result) : recordUpload(result, keyId).thenReturn(result));
    }

    /** The one log event of the upload; its key is unique because it is written only when something was added. */
    private Mono<Long> recordUpload(UploadResult result, String keyId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("conversation_id", result.conversationId());
        data.put("messages_created", result.messagesCreated());
        data.put("agents_created", result.agentsCreated());
        data.put("total_tokens", result.totalTokens());
        data.put("total_cost", result.totalCost());
        OffsetDateTime now = OffsetDateTime.now(java.time.ZoneOffset.UTC);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", EventType.SESSION_UPLOADED.wireName());
        event.put("timestamp", now.toString());
        event.put("data", data);
        return bindKeyId(db.sql(UploadSql.INSERT_UPLOADED_EVENT), keyId)
                .bind("id", result.conversationId())
                .bind("occurred_at", now)
                .bind("dedup_key", EventType.SESSION_UPLOADED.wireName() + ":" + result.conversationId() + ":" + UUID.randomUUID())
                .bind("payload", IngestJson.MAPPER.writeValueAsString(event))
                .map(row -> row.get("id", Long.class)).one();
    }


    private static GenericExecuteSpec bindKeyId(GenericExecuteSpec spec, String keyId) {
        return keyId == null ? spec.bindNull("key_id", String.class) : spec.bind("key_id", keyId);
    }

    private static OffsetDateTime timestamp(String text) {
        return text == null ? null : Rfc3339Validator.parse(text).orElseThrow();
    }

    // Java types of nullable non-text parameters, so that a null binds with the right SQL type.
    private static final Map<String, Class<?>> NULL_TYPES = Map.ofEntries(
            Map.entry("max_turns", Integer.class), Map.entry("total_turns", Integer.class),
            Map.entry("total_messages", Long.class), Map.entry("total_tokens", Long.class),
            Map.entry("total_cost", BigDecimal.class), Map.entry("duration_seconds", BigDecimal.class),
            Map.entry("started_at", OffsetDateTime.class), Map.entry("completed_at", OffsetDateTime.class),
            Map.entry("summary_input_tokens", Long.class), Map.entry("summary_output_tokens", Long.class),
            Map.entry("summary_total_tokens", Long.class), Map.entry("summary_duration_ms", Long.class),
            Map.entry("summary_cost", BigDecimal.class));
}
