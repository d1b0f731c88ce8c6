package io.agentstream.ingest;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Retries change nothing; events may arrive in any order. */
@IntegrationTest
class IdempotencyAndOrderIT {

    @Autowired
    Api api;

    @Test
    void aRetriedMessageReturnsTheOriginalBodyAndChangesNothing() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        api.ingest(fixture("message-created.json")).expectStatus().isCreated()
                .expectBody().json("{\"message_id\":\"0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21\",\"event_id\":" + api.offset(2) + "}", true);
        for (int retry = 0; retry < 3; retry++) {
            api.ingest(fixture("message-created.json")).expectStatus().isCreated()
                    .expectBody().json("{\"message_id\":\"0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21\",\"event_id\":" + api.offset(2) + ",\"duplicate\":true}", true);
        }
        assertThat(api.count("select count(*) from messages")).isEqualTo(1);
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
        assertThat(api.row("select message_count, tokens_used from conversations"))
                .containsEntry("message_count", 1L).containsEntry("tokens_used", 412L);
    }

    @Test
    void everyEventTypeIsIdempotent() {
        for (String name : new String[] {"bridge-connected.json", "bridge-test.json", "conversation-started.json",
                "log-entry.json", "conversation-completed.json", "conversation-error.json"}) {
            api.ingest(fixture(name)).expectStatus().is2xxSuccessful()
                    .expectBody().jsonPath("$.duplicate").doesNotExist();
            api.ingest(fixture(name)).expectStatus().is2xxSuccessful()
                    .expectBody().jsonPath("$.duplicate").isEqualTo(true);
        }
        assertThat(api.count("select count(*) from events")).isEqualTo(6);
        assertThat(api.count("select count(*) from conversation_agents")).isEqualTo(2);
    }

    @Test
    void aMessageWithoutIdIsKeyedBySequenceNumberAndGetsAStableId() {
        String noId = fixture("message-created-minimal.json").replace("\"message_id\":\"7e1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b\",", "");
        String first = new String(api.ingest(noId).expectStatus().isCreated()
                .expectBody().jsonPath("$.message_id").isNotEmpty().returnResult().getResponseBody());
        String retried = new String(api.ingest(noId).expectStatus().isCreated()
                .expectBody().jsonPath("$.duplicate").isEqualTo(true).returnResult().getResponseBody());
        assertThat(retried).startsWith(first.substring(0, first.length() - 1));
        assertThat(api.count("select count(*) from messages")).isEqualTo(1);

        // Same conversation and sequence number but different content: still the same message.
        api.ingest(noId.replace("Agreed.", "Agreed, with edits.")).expectStatus().isCreated()
                .expectBody().jsonPath("$.duplicate").isEqualTo(true);
        assertThat(api.count("select count(*) from messages")).isEqualTo(1);
    }

    @Test
    void aMessageWithoutIdOrSequenceIsKeyedByItsContent() {
        String bare = "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":"
                + "{\"conversation_id\":\"c-hash\",\"agent_type\":\"claude\",\"content\":\"%s\"}}";
        api.ingest(bare.formatted("one")).expectStatus().isCreated().expectBody().jsonPath("$.duplicate").doesNotExist();
        api.ingest(bare.formatted("one")).expectStatus().isCreated().expectBody().jsonPath("$.duplicate").isEqualTo(true);
        api.ingest(bare.formatted("two")).expectStatus().isCreated().expectBody().jsonPath("$.duplicate").doesNotExist();
        assertThat(api.count("select message_count from conversations where id = 'c-hash'")).isEqualTo(2);
    }

    @Test
    void eventsBeforeStartedCreateAPlaceholderThatStartedCompletes() {
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.ingest(fixture("log-entry.json")).expectStatus().isOk();
        api.ingest(fixture("conversation-completed.json")).expectStatus().isOk();
        assertThat(api.row("select is_placeholder, status, message_count, mode from conversations where id = $1", CONVERSATION))
                .containsEntry("is_placeholder", true)
                .containsEntry("status", "COMPLETED")
                .containsEntry("message_count", 1L)
                .containsEntry("mode", null);

        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated()
                .expectBody().jsonPath("$.conversation_id").isEqualTo(CONVERSATION);
        api.ingest(fixture("message-created-minimal.json")).expectStatus().isCreated();

        assertThat(api.row("select is_placeholder, status, message_count, tokens_used, mode, started_at is not null as started "
                + "from conversations where id = $1", CONVERSATION))
                .containsEntry("is_placeholder", false)
                .containsEntry("status", "COMPLETED")
                .containsEntry("message_count", 2L)
                .containsEntry("tokens_used", 412L)
                .containsEntry("mode", "round-robin")
                .containsEntry("started", true);
        assertThat(api.count("select count(*) from conversation_agents")).isEqualTo(2);
    }

    @Test
    void anErrorBeforeAnythingElseIsStored() {
        api.ingest(fixture("conversation-error.json")).expectStatus().isOk();
        assertThat(api.row("select status, is_placeholder from conversations"))
                .containsEntry("status", "ERROR").containsEntry("is_placeholder", true);
    }

    @Test
    void costsSumExactly() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        String message = "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":"
                + "{\"conversation_id\":\"" + CONVERSATION + "\",\"message_id\":\"m-%d\",\"agent_type\":\"claude\","
                + "\"content\":\"x\",\"cost\":0.1,\"tokens_used\":3}}";
        for (int i = 0; i < 30; i++) {
            api.ingest(message.formatted(i)).expectStatus().isCreated();
        }
        // 30 x 0.1 in double precision is 3.0000000000000013; stored exactly it is 3.
        assertThat((BigDecimal) api.single("select cost from conversations")).isEqualByComparingTo("3.0");
        assertThat(api.count("select tokens_used from conversations")).isEqualTo(90);
    }
}
