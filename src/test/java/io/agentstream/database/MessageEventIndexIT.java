package io.agentstream.database;

import java.time.Duration;
import java.util.stream.Collectors;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.r2dbc.spi.Connection;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deleting a conversation deletes its events, and each deleted event makes PostgreSQL null
 * the messages that point at it (the foreign key's ON DELETE SET NULL). That lookup must use
 * messages_event_id_idx instead of scanning the messages table once per event.
 */
@IntegrationTest
class MessageEventIndexIT {

    private static final String CONVERSATION = "conversation-index-check";
    private static final int MESSAGES = 2000;

    @Autowired
    Api api;

    @Autowired
    DatabaseClient db;

    @Test
    void theForeignKeyLookupOfADeletedEventUsesTheIndex() {
        // The statement PostgreSQL's foreign-key trigger runs for every deleted event; sequential
        // scans off, so without the index the plan would show a (disabled) Seq Scan instead.
        String plan = db.inConnection(connection -> run(connection, "set enable_seqscan = off")
                .then(Flux.from(connection.createStatement(
                                "explain (costs off) update only messages set event_id = null where event_id = 42").execute())
                        .flatMap(result -> result.map(row -> row.get(0, String.class)))
                        .collect(Collectors.joining("\n")))
                .flatMap(lines -> run(connection, "reset enable_seqscan").thenReturn(lines)))
                .block(Duration.ofSeconds(10));
        assertThat(plan).contains("messages_event_id_idx").doesNotContain("Seq Scan");
    }

    @Test
    void deletingAConversationFindsItsEventsMessagesThroughTheIndex() {
        seedConversation();
        long scansBefore = indexScans();
        api.client().delete().uri("/api/conversations/" + CONVERSATION).header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .exchange().expectStatus().is2xxSuccessful();
        assertThat(api.count("select count(*) from events where conversation_id = $1", CONVERSATION)).isZero();
        assertThat(api.count("select count(*) from messages where conversation_id = $1", CONVERSATION)).isZero();
        // Statistics reach the view within a second or so of the deleting transaction's end.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(indexScans()).isGreaterThan(scansBefore));
        api.assertHealthy();
    }

    private void seedConversation() {
        api.single("with added as (insert into conversations (id, is_placeholder) values ($1, false) returning id) select count(*) from added", CONVERSATION);
        api.single("""
                with stored as (
                    insert into events (type, conversation_id, occurred_at, dedup_key, payload)
                    select 'message.created', $1, now(), 'index-check-' || n, jsonb_build_object('n', n)
                    from generate_series(1, $2) n
                    returning id
                ), linked as (
                    insert into messages (conversation_id, message_id, event_id, agent_type, content, created_at)
                    select $1, 'm-' || id, id, 'claude', 'message ' || id, now() from stored
                    returning 1
                )
                select count(*) from linked""", CONVERSATION, MESSAGES);
        api.rows("analyze messages");
    }

    private long indexScans() {
        return api.count("select coalesce(sum(idx_scan), 0) from pg_stat_user_indexes where indexrelname = 'messages_event_id_idx'");
    }

    private static Mono<Void> run(Connection connection, String sql) {
        return Flux.from(connection.createStatement(sql).execute()).flatMap(result -> result.getRowsUpdated()).then();
    }
}
