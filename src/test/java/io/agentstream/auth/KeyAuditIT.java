package io.agentstream.auth;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every stored event, message and upload records the key that sent it, and an admin lists a
 * key's events: the audit of the RUNBOOK's compromised-key procedure.
 */
@IntegrationTest
class KeyAuditIT {

    @Autowired
    Api api;

    static String environmentKeyId(String key) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return "env-" + HexFormat.of().formatHex(hash).substring(0, 12);
    }

    WebTestClient.ResponseSpec ingest(String key, String body) {
        return api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    JsonNode events(String key, String query, int status) {
        byte[] body = api.client().get().uri("/api/events?" + query)
                .headers(headers -> {
                    if (key != null) {
                        headers.setBearerAuth(key);
                    }
                })
                .exchange()
                .expectStatus().isEqualTo(status).expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }

    @Test
    void eventsMessagesAndUploadsRecordTheirKeyAndAnAdminListsAKeysEvents() throws Exception {
        Map<?, ?> created = api.client().post().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "auditor", "scopes", List.of("ingest", "read", "admin")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String storedKey = (String) created.get("key");
        String storedId = "key-" + created.get("id");
        String first = environmentKeyId(Api.KEY);
        String second = environmentKeyId(Api.SECOND_KEY);
        assertThat(first).isNotEqualTo(second).matches("env-[0-9a-f]{12}");

        ingest(Api.KEY, fixture("conversation-started.json")).expectStatus().isCreated();
        ingest(Api.KEY, fixture("message-created.json")).expectStatus().isCreated();
        ingest(Api.SECOND_KEY, "[" + fixture("message-created-minimal.json") + "," + fixture("log-entry.json") + "]")
                .expectStatus().isOk();
        // A retry by another key changes nothing, not even who is recorded.
        ingest(storedKey, fixture("message-created.json")).expectStatus().isCreated();
        ingest(storedKey, fixture("conversation-completed.json")).expectStatus().isOk();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + storedKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("session-upload.json")).exchange()
                .expectStatus().isCreated();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.SECOND_KEY)
                .contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue(fixture("events_5b0f3c1e-9a4d-4c2e-8f7a-1d2e3f4a5b6c.jsonl").replace("5b0f3c1e", "6c1f4d2f"))
                .exchange().expectStatus().is2xxSuccessful();

        assertThat(api.count("select count(*) from events where key_id is null")).isZero();
        assertThat(api.count("select count(*) from messages where key_id is null")).isZero();
        assertThat(api.numbers("select id from events where key_id = $1 order by id", first)).hasSize(2);
        assertThat(api.single("select key_id from messages where message_id = $1",
                JsonMapper.shared().readTree(fixture("message-created.json")).at("/data/message_id").asString())).isEqualTo(first);
        assertThat(api.single("select key_id from events where type = 'conversation.completed' and conversation_id = $1",
                Api.CONVERSATION)).isEqualTo(storedId);
        assertThat(api.count("select count(*) from events where type = 'session.uploaded' and key_id = $1", storedId)).isEqualTo(1);
        assertThat(api.count("select count(*) from messages where conversation_id = 'hist-2026-11-01-a' and key_id = $1",
                storedId)).isEqualTo(api.count("select count(*) from messages where conversation_id = 'hist-2026-11-01-a'"));
        assertThat(api.count("select count(*) from events where conversation_id like '6c1f4d2f%' and key_id <> $1", second))
                .isZero();

        // The listing: admin scope, every event of the key in offset order, the usual filters and pages.
        List<Long> expected = api.numbers("select id from events where key_id = $1 order by id", second);
        Awaitility.await().untilAsserted(() ->
                assertThat(ids(events(storedKey, "key_id=" + second + "&limit=1000", 200))).isEqualTo(expected));
        assertThat(ids(events(storedKey, "key_id=" + first, 200)))
                .isEqualTo(api.numbers("select id from events where key_id = $1 order by id", first));
        assertThat(ids(events(storedKey, "key_id=" + storedId + "&types=session.uploaded", 200))).hasSize(1);
        // The id as the key list shows it works too.
        assertThat(ids(events(storedKey, "key_id=" + created.get("id"), 200)))
                .isEqualTo(api.numbers("select id from events where key_id = $1 order by id", storedId));
        JsonNode page = events(storedKey, "key_id=" + second + "&limit=1", 200);
        assertThat(ids(page)).containsExactly(expected.getFirst());
        assertThat(ids(events(storedKey, "key_id=" + second + "&after=" + page.get("next_after").asLong(), 200)))
                .isEqualTo(expected.subList(1, expected.size()));
        assertThat(ids(events(storedKey, "key_id=env-000000000000", 200))).isEmpty();

        // A read key may not audit; a malformed key id is a 400; nothing changes.
        long stored = api.count("select count(*) from events");
        JsonNode forbidden = events(Api.KEY, "key_id=" + first, 403);
        assertThat(forbidden.get("type").asString()).isEqualTo("urn:problem:agentstream:insufficient-scope");
        assertThat(forbidden.get("detail").asString()).contains("'admin'");
        events(null, "key_id=" + first, 401);
        // The audit is the admin scope's alone: an admin-only key needs no read scope for it.
        assertThat(ids(events(Api.ADMIN_KEY, "key_id=" + first, 200)))
                .isEqualTo(api.numbers("select id from events where key_id = $1 order by id", first));
        for (String bad : List.of("abc", "env-XYZ", "env-0123456789abcdef", "-1", "1;drop", "%00")) {
            events(storedKey, "key_id=" + bad, 400);
        }
        events(storedKey, "key_id=1&key_id=2", 400);
        assertThat(api.count("select count(*) from events")).isEqualTo(stored);
        api.assertHealthy();
    }

    private static List<Long> ids(JsonNode page) {
        return page.get("events").valueStream().map(event -> event.get("event_id").asLong()).toList();
    }
}
