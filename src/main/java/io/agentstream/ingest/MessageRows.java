package io.agentstream.ingest;

import static io.agentstream.database.ArrayParameters.column;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
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
     * @param keyId     the id of the API key that sent it (audit); null when none is known
     */
    public record Row(String conversationId, String messageId, Long eventId, String agentId, String agentType,
                      String agentName, String agentVersion, String role, String content, Long sequenceNumber,
                      Long turnNumber, Long tokensUsed, Long inputTokens, Long outputTokens, BigDecimal cost,
                      String model, Long durationMs, String createdAt, String keyId) {
    }

    private final DatabaseClient db;

    MessageRows(DatabaseClient db) {
        this.db = db;
    }

    /** The INSERT_MESSAGES parameters: one array per column, row i at index i; a null stays null. */
    static Map<String, String[]> columns(List<Row> rows) {
        Map<String, String[]> columns = new LinkedHashMap<>();
        columns.put("conversation_ids", column(rows, Row::conversationId));
        columns.put("message_ids", column(rows, Row::messageId));
        columns.put("event_ids", column(rows, Row::eventId));
        columns.put("agent_ids", column(rows, Row::agentId));
        columns.put("agent_types", column(rows, Row::agentType));
        columns.put("agent_names", column(rows, Row::agentName));
        columns.put("agent_versions", column(rows, Row::agentVersion));
        columns.put("roles", column(rows, Row::role));
        columns.put("contents", column(rows, Row::content));
        columns.put("sequence_numbers", column(rows, Row::sequenceNumber));
        columns.put("turn_numbers", column(rows, Row::turnNumber));
        columns.put("tokens_used", column(rows, Row::tokensUsed));
        columns.put("input_tokens", column(rows, Row::inputTokens));
        columns.put("output_tokens", column(rows, Row::outputTokens));
        columns.put("costs", column(rows, row -> row.cost() == null ? null : row.cost().toPlainString()));
        columns.put("models", column(rows, Row::model));
        columns.put("durations", column(rows, Row::durationMs));
        columns.put("created_ats", column(rows, Row::createdAt));
        columns.put("key_ids", column(rows, Row::keyId));
        return columns;
    }

    /** Inserts the rows in order, inside the caller's transaction; completes with how many were new. */
    public Mono<Long> insert(List<Row> rows) {
        if (rows.isEmpty()) {
            return Mono.just(0L);
        }
        GenericExecuteSpec insert = db.sql(IngestSql.INSERT_MESSAGES);
        for (Map.Entry<String, String[]> column : columns(rows).entrySet()) {
            insert = insert.bind(column.getKey(), column.getValue());
        }
        return insert
                .map(row -> row.get("created", Long.class))
                .one();
    }
}
