package io.agentstream.ingest;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/** Every fixture the AgentPipe CLI produces, sent as the CLI sends it. */
@IntegrationTest
class FixtureIngestIT {

    @Autowired
    Api api;

    @Test
    void bridgeEventsAnswerSuccessWithTheirOffset() {
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk()
                .expectBody().json("{\"success\":true,\"event_id\":" + api.offset(1) + "}", true);
        api.ingest(fixture("bridge-test.json")).expectStatus().isOk()
                .expectBody().json("{\"success\":true,\"event_id\":" + api.offset(2) + "}", true);
        assertThat(api.count("select count(*) from events where conversation_id is null")).isEqualTo(2);
        assertThat(api.count("select count(*) from conversations")).isZero();
    }

    @Test
    void aWholeConversationIsStoredWithExactTotals() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated()
                .expectBody().json("{\"conversation_id\":\"" + CONVERSATION + "\",\"event_id\":" + api.offset(1) + "}", true);
        api.ingest(fixture("message-created.json")).expectStatus().isCreated()
                .expectBody().json("{\"message_id\":\"0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21\",\"event_id\":" + api.offset(2) + "}", true);
        api.ingest(fixture("log-entry.json")).expectStatus().isOk()
                .expectBody().json("{\"success\":true,\"event_id\":" + api.offset(3) + "}", true);
        api.ingest(fixture("message-created-minimal.json")).expectStatus().isCreated()
                .expectBody().jsonPath("$.message_id").isEqualTo("7e1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b");
        api.ingest(fixture("conversation-completed.json")).expectStatus().isOk()
                .expectBody().jsonPath("$.success").isEqualTo(true);

        Map<String, Object> conversation = api.row("select * from conversations where id = $1", CONVERSATION);
        assertThat(conversation)
                .containsEntry("status", "COMPLETED")
                .containsEntry("mode", "round-robin")
                .containsEntry("initial_prompt", "Design a rate limiter for a public API.")
                .containsEntry("max_turns", 6)
                .containsEntry("is_placeholder", false)
                .containsEntry("source", "cli-stream")
                .containsEntry("agentpipe_version", "0.6.2")
                .containsEntry("os", "linux")
                .containsEntry("os_version", "Ubuntu 24.04")
                .containsEntry("go_version", "go1.24.4")
                .containsEntry("architecture", "amd64")
                .containsEntry("message_count", 2L)
                .containsEntry("tokens_used", 412L)
                .containsEntry("input_tokens", 301L)
                .containsEntry("output_tokens", 111L)
                .containsEntry("messages_duration_ms", 5234L)
                .containsEntry("max_turn_number", 1)
                .containsEntry("total_messages", 2L)
                .containsEntry("total_turns", 1)
                .containsEntry("total_tokens", 530L)
                .containsEntry("summary_short_text", "Token bucket in Redis, per key.")
                .containsEntry("summary_model", "gemini-2.5-flash")
                .containsEntry("summary_total_tokens", 118L);
        assertThat((BigDecimal) conversation.get("cost")).isEqualByComparingTo("0.00213");
        assertThat((BigDecimal) conversation.get("total_cost")).isEqualByComparingTo("0.00251");
        assertThat((BigDecimal) conversation.get("duration_seconds")).isEqualByComparingTo("100.3");
        assertThat(conversation.get("completed_at")).isNotNull();
        assertThat(api.single("select command->>'full_command' from conversations where id = $1", CONVERSATION))
                .asString().startsWith("agentpipe run");

        assertThat(api.count("select count(*) from conversation_agents where conversation_id = $1", CONVERSATION)).isEqualTo(2);
        assertThat(api.row("select * from conversation_agents where conversation_id = $1 and position = 0", CONVERSATION))
                .containsEntry("agent_type", "claude").containsEntry("agent_id", "claude-1")
                .containsEntry("name", "Architect").containsEntry("model", "claude-sonnet-4")
                .containsEntry("prompt", "You are a pragmatic architect.").containsEntry("cli_version", "2.0.14");

        Map<String, Object> message = api.row("select * from messages where message_id = '0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21'");
        assertThat(message)
                .containsEntry("conversation_id", CONVERSATION)
                .containsEntry("agent_id", "claude-1").containsEntry("agent_type", "claude")
                .containsEntry("agent_name", "Architect").containsEntry("sequence_number", 1)
                .containsEntry("turn_number", 1).containsEntry("tokens_used", 412L)
                .containsEntry("model", "claude-sonnet-4").containsEntry("duration_ms", 5234L)
                .containsEntry("event_id", api.offset(2));
        assertThat((BigDecimal) message.get("cost")).isEqualByComparingTo("0.00213");

        assertThat(api.count("select count(*) from events")).isEqualTo(5);
        assertThat(api.single("select string_agg(type, ',' order by id) from events"))
                .isEqualTo("conversation.started,message.created,log.entry,message.created,conversation.completed");
    }

    @Test
    void theRawEventIsStoredAsSentIncludingUnknownFields() {
        String withExtras = fixture("message-created.json")
                .replace("\"data\":{", "\"data\":{\"future_field\":{\"nested\":[1,2.50]},")
                .replace("\"type\":", "\"cli_extension\":\"x\",\"type\":");
        api.ingest(withExtras).expectStatus().isCreated();
        assertThat(api.single("select payload->'data'->'future_field'->>'nested' from events")).isEqualTo("[1, 2.50]");
        assertThat(api.single("select payload->>'cli_extension' from events")).isEqualTo("x");
        assertThat(api.single("select payload->'data'->>'cost' from events")).isEqualTo("0.00213");
    }

    @Test
    void anErrorAfterCompletionKeepsTheFinalStatusButRecordsTheError() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        api.ingest(fixture("conversation-completed.json")).expectStatus().isOk();
        api.ingest(fixture("conversation-error.json")).expectStatus().isOk()
                .expectBody().jsonPath("$.success").isEqualTo(true);
        assertThat(api.row("select status, error_message, error_type, error_agent_type from conversations"))
                .containsEntry("status", "COMPLETED")
                .containsEntry("error_message", "agent gemini exited with status 1")
                .containsEntry("error_type", "agent_failure")
                .containsEntry("error_agent_type", "gemini");
    }

    @Test
    void anErrorBeforeCompletionMarksTheConversationFailed() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        api.ingest(fixture("conversation-error.json")).expectStatus().isOk();
        assertThat(api.single("select status from conversations")).isEqualTo("ERROR");
    }

    @Test
    void legacyAgentsAndArchAreUnderstood() {
        api.ingest(fixture("conversation-started-legacy-agents.json")).expectStatus().isCreated()
                .expectBody().jsonPath("$.conversation_id").isEqualTo("legacy-conv-0001");
        assertThat(api.row("select architecture, mode from conversations where id = 'legacy-conv-0001'"))
                .containsEntry("architecture", "amd64").containsEntry("mode", "free-form");
        assertThat(api.single("select agent_type from conversation_agents where conversation_id = 'legacy-conv-0001'"))
                .isEqualTo("codex");
    }

    @Test
    void theCliEventLogIngestsAsNdjson() {
        String log = fixture("events_" + CONVERSATION + ".jsonl");
        long lines = log.lines().filter(line -> !line.isBlank()).count();
        api.ingest(log, MediaType.APPLICATION_NDJSON).expectStatus().isOk()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo((int) lines)
                .jsonPath("$.rejected").isEqualTo(0)
                .jsonPath("$.results.length()").isEqualTo((int) lines)
                .jsonPath("$.results[0].event_id").isEqualTo(api.number("select min(id) from events").intValue());
        assertThat(api.count("select count(*) from events")).isEqualTo(lines);
        assertThat(api.count("select message_count from conversations where id = $1", CONVERSATION))
                .isEqualTo(api.count("select count(*) from messages"));
    }
}
