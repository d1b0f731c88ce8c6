package io.agentstream.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class ConversationReadIT {

    @Autowired
    Api api;

    WebTestClient.ResponseSpec get(String uri) {
        return api.client().get().uri(uri).header("Authorization", "Bearer " + Api.KEY).exchange();
    }

    JsonNode json(String uri) {
        byte[] body = get(uri).expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }

    void upload(String body) {
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isCreated();
    }

    void streamFixtureConversation() {
        for (String name : List.of("conversation-started.json", "message-created.json", "conversation-completed.json")) {
            api.ingest(fixture(name)).expectStatus().is2xxSuccessful();
        }
    }

    @Test
    void theListShowsTotalsParticipantsAndFilters() {
        streamFixtureConversation();
        upload(fixture("session-upload.json"));
        JsonNode all = json("/api/conversations");
        assertThat(all.get("items")).hasSize(2);
        assertThat(all.get("next_cursor").isNull()).isTrue();
        JsonNode uploaded = all.get("items").get(0);
        assertThat(uploaded.get("id").asString()).isEqualTo("hist-2026-11-01-a");
        assertThat(uploaded.get("participant_count").asInt()).isEqualTo(2);
        assertThat(uploaded.get("agent_types").valueStream().map(JsonNode::asString).toList()).containsExactly("claude", "gpt");
        assertThat(uploaded.get("totals").get("messages").asLong()).isEqualTo(2);
        assertThat(uploaded.get("totals").get("tokens").asLong()).isEqualTo(395);

        assertThat(ids("/api/conversations?agent_type=gpt")).containsExactly("hist-2026-11-01-a");
        assertThat(ids("/api/conversations?model=gpt-5")).containsExactly("hist-2026-11-01-a");
        assertThat(ids("/api/conversations?mode=round-robin")).hasSize(2);
        assertThat(ids("/api/conversations?status=COMPLETED")).hasSize(2);
        assertThat(ids("/api/conversations?status=ACTIVE")).isEmpty();
        assertThat(ids("/api/conversations?q=roadmap")).containsExactly("hist-2026-11-01-a");
        assertThat(json(api.client().get().uri("/api/conversations?q={q}", "RATE LIMITER"))).containsExactly(CONVERSATION);
        assertThat(json(api.client().get().uri("/api/conversations?q={q}", "100%"))).isEmpty();
        assertThat(ids("/api/conversations?since=2026-11-10T00:00:00Z")).containsExactly(CONVERSATION);
        assertThat(ids("/api/conversations?until=2026-11-10T00:00:00Z")).containsExactly("hist-2026-11-01-a");
    }

    private List<String> json(WebTestClient.RequestHeadersSpec<?> request) {
        byte[] body = request.header("Authorization", "Bearer " + Api.KEY).exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body).get("items").valueStream().map(item -> item.get("id").asString()).toList();
    }

    private List<String> ids(String uri) {
        return json(uri).get("items").valueStream().map(item -> item.get("id").asString()).toList();
    }

    @Test
    void pagesOver250ConversationsHaveNoDuplicatesOrGapsWhileNewOnesArrive() {
        api.count("with made as (insert into conversations (id, status, is_placeholder, created_at) "
                + "select 'page-' || g, 'ACTIVE', false, now() - g * interval '1 second' from generate_series(1, 250) g "
                + "returning 1) select count(*) from made");
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; writing.get() && i < 500; i++) {
                api.count("with made as (insert into conversations (id, is_placeholder) values ($1, false) returning 1) "
                        + "select count(*) from made", "new-" + i);
            }
        });
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json("/api/conversations?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("items").forEach(item -> seen.add(item.get("id").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
            pages++;
        } while (cursor != null && pages < 200);
        writing.set(false);
        writer.join();
        List<String> old = seen.stream().filter(id -> id.startsWith("page-")).toList();
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
        List<String> expected = new ArrayList<>();
        for (int g = 1; g <= 250; g++) {
            expected.add("page-" + g);
        }
        assertThat(old).containsExactlyElementsOf(expected);
    }

    @Test
    void aConversationShowsParticipantsTotalsSummaryAndSystemInfo() {
        streamFixtureConversation();
        JsonNode detail = json("/api/conversations/" + CONVERSATION);
        assertThat(detail.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(detail.get("participants")).hasSize(2);
        assertThat(detail.get("participants").get(0).get("agent_type").asString()).isEqualTo("claude");
        assertThat(detail.get("totals").get("messages").asLong()).isEqualTo(1);
        assertThat(detail.get("system_info").get("os").asString()).isEqualTo("linux");
        assertThat(detail.get("summary").get("text").asString()).isNotBlank();
        for (String path : List.of("/api/conversations/nope", "/api/conversations/nope/messages",
                "/api/conversations/nope/export", "/api/conversations/bad id")) {
            get(path).expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:conversation-not-found");
        }
    }

    @Test
    void anAdminDeletesAConversationWithEverythingOfIt() {
        streamFixtureConversation();
        api.client().delete().uri("/api/conversations/" + CONVERSATION).header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isForbidden();
        api.client().delete().uri("/api/conversations/" + CONVERSATION).header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange()
                .expectStatus().isNoContent();
        assertThat(api.count("select count(*) from conversations")).isZero();
        assertThat(api.count("select count(*) from messages")).isZero();
        assertThat(api.count("select count(*) from conversation_agents")).isZero();
        assertThat(api.count("select count(*) from events where conversation_id is not null")).isZero();
        api.client().delete().uri("/api/conversations/" + CONVERSATION).header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange()
                .expectStatus().isNotFound();
    }

    @Test
    void messagesArePagedInSequenceOrder() {
        StringBuilder messages = new StringBuilder();
        for (int i = 25; i >= 1; i--) {
            messages.append(messages.isEmpty() ? "" : ",").append("{\"agent_type\":\"claude\",\"content\":\"m").append(i)
                    .append("\",\"timestamp\":\"2026-11-01T10:00:00Z\",\"sequence_number\":").append(i).append('}');
        }
        messages.append(",{\"agent_type\":\"claude\",\"content\":\"unnumbered\",\"timestamp\":\"2026-11-01T09:00:00Z\"}");
        upload("{\"conversation\":{\"id\":\"paged\",\"started_at\":\"2026-11-01T10:00:00Z\",\"status\":\"ACTIVE\"},"
                + "\"messages\":[" + messages + "]}");
        List<String> contents = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json("/api/conversations/paged/messages?limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("items").forEach(item -> contents.add(item.get("content").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            expected.add("m" + i);
        }
        expected.add("unnumbered");
        assertThat(contents).containsExactlyElementsOf(expected);
    }

    @Test
    void anExportedSessionUploadsBackToTheSameConversation() {
        streamFixtureConversation();
        upload(fixture("session-upload.json"));
        for (String id : List.of(CONVERSATION, "hist-2026-11-01-a")) {
            Map<String, Object> conversation = api.row(CONVERSATION_COLUMNS + " from conversations where id = $1", id);
            List<Map<String, Object>> agents = rows(AGENT_COLUMNS + " from conversation_agents where conversation_id = $1 order by position", id);
            List<Map<String, Object>> messages = rows(MESSAGE_COLUMNS + " from messages where conversation_id = $1 order by sequence_number, id", id);
            String exported = new String(get("/api/conversations/" + id + "/export?format=json")
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                    .expectHeader().valueMatches("Content-Disposition", "attachment; filename=\"conversation-" + id + "\\.json\"")
                    .expectBody().returnResult().getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
            api.clear();
            upload(exported);
            assertThat(api.row(CONVERSATION_COLUMNS + " from conversations where id = $1", id)).isEqualTo(conversation);
            assertThat(rows(AGENT_COLUMNS + " from conversation_agents where conversation_id = $1 order by position", id)).isEqualTo(agents);
            assertThat(rows(MESSAGE_COLUMNS + " from messages where conversation_id = $1 order by sequence_number, id", id)).isEqualTo(messages);
            api.clear();
            streamFixtureConversation();
            upload(fixture("session-upload.json"));
        }
    }

    static final String CONVERSATION_COLUMNS = "select id, name, mode, initial_prompt, max_turns, status, started_at, "
            + "completed_at, message_count, tokens_used, input_tokens, output_tokens, cost::text as cost, messages_duration_ms, "
            + "max_turn_number, total_messages, total_turns, total_tokens, total_cost::text as total_cost, "
            + "duration_seconds::numeric(20,3)::text as duration, agentpipe_version, os, os_version, go_version, architecture";
    static final String AGENT_COLUMNS = "select position, agent_type, agent_id, name, agent_version, model, prompt, cli_version";
    static final String MESSAGE_COLUMNS = "select message_id, agent_id, agent_type, agent_name, agent_version, role, content, "
            + "sequence_number, turn_number, tokens_used, input_tokens, output_tokens, cost::text as cost, model, duration_ms, created_at";

    private List<Map<String, Object>> rows(String sql, Object... args) {
        return api.rows(sql, args);
    }

    @Test
    void exportsAsEventLogAndMarkdown() {
        streamFixtureConversation();
        upload(fixture("session-upload.json"));
        String markdown = body("/api/conversations/hist-2026-11-01-a/export?format=markdown", MediaType.parseMediaType("text/markdown"));
        assertThat(markdown).startsWith("# Historical product discussion").contains("## Transcript").contains("Let us focus on onboarding.");
        String log = body("/api/conversations/" + CONVERSATION + "/export?format=ndjson", MediaType.APPLICATION_NDJSON);
        assertThat(log.lines().map(line -> JsonMapper.shared().readTree(line).get("type").asString()).toList())
                .containsExactly("conversation.started", "message.created", "conversation.completed");
        String rebuilt = body("/api/conversations/hist-2026-11-01-a/export?format=ndjson", MediaType.APPLICATION_NDJSON);
        assertThat(rebuilt.lines()).hasSize(4);
        assertThat(rebuilt.lines().findFirst().orElseThrow()).contains("\"type\":\"conversation.started\"");
        // The rebuilt log is itself a valid upload: it replays into the same messages.
        api.clear();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_NDJSON).bodyValue(rebuilt).exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.messages_created").isEqualTo(2);
        // The original upload is now a duplicate: the rebuilt log carried the same message ids.
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("session-upload.json")).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(true);
    }

    private String body(String uri, MediaType type) {
        return new String(get(uri).expectStatus().isOk().expectHeader().contentTypeCompatibleWith(type)
                .expectBody().returnResult().getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void theMetricsSummaryCountsByStatusAgentTypeAndModel() {
        streamFixtureConversation();
        upload(fixture("session-upload.json"));
        JsonNode summary = json("/api/metrics/summary");
        assertThat(summary.get("conversations_by_status").get("COMPLETED").asLong()).isEqualTo(2);
        assertThat(summary.get("messages").asLong()).isEqualTo(3);
        assertThat(summary.get("tokens").asLong()).isEqualTo(412 + 395);
        assertThat(summary.get("by_agent_type")).hasSize(2);
        assertThat(summary.get("by_model").valueStream().map(u -> u.get("key").asString()).toList())
                .containsExactly("claude-sonnet-4", "gpt-5");
        JsonNode window = json("/api/metrics/summary?since=2026-11-10T00:00:00Z&until=2026-12-01T00:00:00Z");
        assertThat(window.get("messages").asLong()).isEqualTo(1);
        assertThat(window.get("conversations_by_status").get("COMPLETED").asLong()).isEqualTo(1);
    }

    @Test
    void badQueryParametersAreA400NamingEachOne() {
        record Case(String uri, String... fields) {
        }
        streamFixtureConversation();
        for (Case c : List.of(
                new Case("/api/conversations?limit=0", "limit"),
                new Case("/api/conversations?limit=101", "limit"),
                new Case("/api/conversations?limit=abc&status=DONE", "limit", "status"),
                new Case("/api/conversations?cursor=bm90LWEtY3Vyc29y", "cursor"),
                new Case("/api/conversations?cursor=%%%", "cursor"),
                new Case("/api/conversations?since=yesterday&until=2026-13-01", "since", "until"),
                new Case("/api/conversations?q=", "q"),
                new Case("/api/conversations?status=ACTIVE&status=ERROR", "status"),
                new Case("/api/conversations/" + CONVERSATION + "/messages?limit=1000", "limit"),
                new Case("/api/conversations/" + CONVERSATION + "/messages?cursor=LToxOmFiYw", "cursor"),
                new Case("/api/conversations/" + CONVERSATION + "/export?format=pdf", "format"),
                new Case("/api/metrics/summary?since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z", "until"))) {
            WebTestClient.BodyContentSpec body = get(c.uri()).expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:invalid-query");
            for (String field : c.fields()) {
                body.jsonPath("$.errors[?(@.field == '" + field + "')]").exists();
            }
        }
        for (String path : List.of("/api/conversations", "/api/conversations/" + CONVERSATION, "/api/metrics/summary")) {
            api.client().get().uri(path).exchange().expectStatus().isUnauthorized();
        }
        api.assertHealthy();
    }

    @Test
    void theReadQueriesUseIndexes() {
        api.count("with made as (insert into conversations (id, status, mode, is_placeholder, started_at, created_at) "
                + "select 'plan-' || g, case when g % 10 = 0 then 'ERROR' else 'COMPLETED' end, 'round-robin', false, "
                + "now() - g * interval '1 minute', now() - g * interval '1 minute' from generate_series(1, 20000) g returning 1) "
                + "select count(*) from made");
        api.count("with made as (insert into conversations (id, is_placeholder) values ('plan-big', false) returning 1) "
                + "select count(*) from made");
        api.count("with made as (insert into conversation_agents (conversation_id, position, agent_type, model) "
                + "select 'plan-' || g, 0, case when g % 100 = 0 then 'rare' else 'claude' end, 'm' from generate_series(1, 20000) g "
                + "returning 1) select count(*) from made");
        api.count("with made as (insert into messages (conversation_id, message_id, agent_type, content, sequence_number, created_at) "
                + "select 'plan-' || (g % 2000 + 1), 'm' || g, 'claude', 'x', g, now() from generate_series(1, 40000) g returning 1) "
                + "select count(*) from made");
        api.count("with made as (insert into messages (conversation_id, message_id, agent_type, content, sequence_number, created_at) "
                + "select 'plan-big', 'b' || g, 'claude', 'x', g, now() from generate_series(1, 5000) g returning 1) "
                + "select count(*) from made");
        api.rows("analyze conversations");
        api.rows("analyze conversation_agents");
        api.rows("analyze messages");
        String list = ConversationSql.LIST_SELECT + ConversationSql.LIST_ORDER;
        assertThat(plan(list.replace(":limit", "21"))).contains("conversations_created_at_idx");
        assertThat(plan(ConversationSql.LIST_SELECT + " where " + ConversationSql.FILTER_STATUS.replace(":status", "'ERROR'")
                + ConversationSql.LIST_ORDER.replace(":limit", "21"))).containsAnyOf("conversations_status_idx", "conversations_created_at_idx");
        assertThat(plan(ConversationSql.LIST_SELECT + " where " + ConversationSql.FILTER_AGENT_TYPE.replace(":agent_type", "'rare'")
                + ConversationSql.LIST_ORDER.replace(":limit", "21"))).contains("conversation_agents_agent_type_idx");
        assertThat(plan(ConversationSql.MESSAGES_FIRST.replace(":id", "'plan-big'").replace(":limit", "51")))
                .contains("messages_conversation_order_idx");
        assertThat(plan(ConversationSql.CONVERSATION.replace(":id", "'plan-7'"))).contains("conversations_pkey");
    }

    private String plan(String sql) {
        String text = String.join("\n", api.rows("explain " + sql).stream().map(row -> row.values().iterator().next().toString()).toList());
        System.out.println("EXPLAIN " + sql.lines().findFirst().orElse("") + "\n" + text);
        return text;
    }
}
