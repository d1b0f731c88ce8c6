package io.agentstream.ingest;

import static io.agentstream.database.ArrayParameters.column;

import java.math.BigDecimal;
import java.util.List;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The one writer of message rows, for live ingest and for uploads alike: one statement
 * inserts the rows not stored yet and raises each conversation's totals by exactly those,
 * so a session gets the same totals however it arrived.
 */
@Component
public class MessageRows {

    /**
     * One message as stored.
     *
     * @param eventId   the offset of the event that carried it; null for an uploaded message
     * @param createdAt RFC 3339 text, read by PostgreSQL as {@code timestamptz}
     */
    public record Row(String conversationId, String messageId, Long eventId, String agentId, String agentType,
                      String agentName, String agentVersion, String role, String content, Long sequenceNumber,
                      Long turnNumber, Long tokensUsed, Long inputTokens, Long outputTokens, BigDecimal cost,
                      String model, Long durationMs, String createdAt) {
    }

    private final DatabaseClient db;

    MessageRows(DatabaseClient db) {
        this.db = db;
    }

    /** Inserts the rows in order, inside the caller's transaction; completes with how many were new. */
    public Mono<Long> insert(List<Row> rows) {
        if (rows.isEmpty()) {
            return Mono.just(0L);
        }
        return db.sql(IngestSql.INSERT_MESSAGES)
                .bind("conversation_ids", column(rows, Row::conversationId))
                .bind("message_ids", column(rows, Row::messageId))
                .bind("event_ids", column(rows, Row::eventId))
                .bind("agent_ids", column(rows, Row::agentId))
                .bind("agent_types", column(rows, Row::agentType))
                .bind("agent_names", column(rows, Row::agentName))
                .bind("agent_versions", column(rows, Row::agentVersion))
                .bind("roles", column(rows, Row::role))
                .bind("contents", column(rows, Row::content))
                .bind("sequence_numbers", column(rows, Row::sequenceNumber))
                .bind("turn_numbers", column(rows, Row::turnNumber))
                .bind("tokens_used", column(rows, Row::tokensUsed))
                .bind("input_tokens", column(rows, Row::inputTokens))
                .bind("output_tokens", column(rows, Row::outputTokens))
                .bind("costs", column(rows, row -> row.cost() == null ? null : row.cost().toPlainString()))
                .bind("models", column(rows, Row::model))
                .bind("durations", column(rows, Row::durationMs))
                .bind("created_ats", column(rows, Row::createdAt))
                .map(row -> row.get("created", Long.class))
                .one();
    }
}
