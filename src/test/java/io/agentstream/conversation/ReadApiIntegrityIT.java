package io.agentstream.conversation;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the read API gives back is whole and what it is given cannot break it: export then
 * upload keeps every field of the detail view; cursors are signed; a summary without a window
 * counts every conversation; and a table of hostile inputs to every read endpoint gets a 4xx
 * problem or a harmless 200, never a 5xx, and changes nothing.
 */
@IntegrationTest
class ReadApiIntegrityIT {

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    EntityExchangeResult<byte[]> get(String uri) {
        return api.client().get().uri(URI.create("http://localhost:" + port + uri)).header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectBody().returnResult();
    }

    JsonNode json(String uri) {
        EntityExchangeResult<byte[]> result = get(uri);
        assertThat(result.getStatus().value()).as(uri).isEqualTo(200);
        return JsonMapper.shared().readTree(result.getResponseBody());
    }

    void streamWholeConversation() {
        for (String name : List.of("conversation-started.json", "message-created.json", "message-created-minimal.json",
                "conversation-completed.json", "conversation-error.json")) {
            api.ingest(fixture(name)).expectStatus().is2xxSuccessful();
        }
    }

    @Test
    void exportThenUploadIntoAnEmptyStoreKeepsEveryFieldOfTheDetailView() {
        streamWholeConversation();
        String detailUri = "/api/conversations/" + CONVERSATION;
        JsonNode before = json(detailUri);
        assertThat(before.get("summary").isObject()).isTrue();
        assertThat(before.get("error").isObject()).isTrue();
        JsonNode messagesBefore = json(detailUri + "/messages?limit=100");
        String exported = new String(get(detailUri + "/export?format=json").getResponseBody(), StandardCharsets.UTF_8);

        api.client().delete().uri(detailUri).header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange()
                .expectStatus().isNoContent();
        assertThat(api.count("select count(*) from conversations")).isZero();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(exported).exchange().expectStatus().isCreated();

        JsonNode after = json(detailUri);
        // How this copy came to be stored is the store's own fact, not the conversation's.
        List<String> storeFacts = List.of("source", "created_at", "updated_at");
        List<String> compared = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = before.properties().iterator(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (storeFacts.contains(field.getKey())) {
                continue;
            }
            assertThat(after.get(field.getKey())).as("detail field %s", field.getKey()).isEqualTo(field.getValue());
            compared.add(field.getKey());
        }
        assertThat(compared).contains("summary", "error", "command", "reported", "totals", "participants", "system_info",
                "started_at", "completed_at", "status", "max_turn_number");
        assertThat(after.properties()).hasSameSizeAs(before.properties());
        assertThat(json(detailUri + "/messages?limit=100").get("items")).isEqualTo(messagesBefore.get("items"));
    }

    @Test
    void everyEditedCursorIsA400() {
        for (int i = 0; i < 5; i++) {
            api.ingest("{\"type\":\"conversation.started\",\"timestamp\":\"2026-11-20T10:15:0" + i + "Z\",\"data\":{"
                    + "\"conversation_id\":\"c-" + i + "\",\"mode\":\"round-robin\",\"initial_prompt\":\"p\","
                    + "\"system_info\":{},\"participants\":[]}}").expectStatus().isCreated();
            api.ingest("{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:16:0" + i + "Z\",\"data\":{"
                    + "\"conversation_id\":\"c-0\",\"message_id\":\"m-" + i + "\",\"agent_type\":\"claude\","
                    + "\"content\":\"hello\",\"sequence_number\":" + i + "}}").expectStatus().isCreated();
        }
        String listCursor = json("/api/conversations?limit=2").get("next_cursor").asString();
        String messagesCursor = json("/api/conversations/c-0/messages?limit=2").get("next_cursor").asString();
        assertThat(json("/api/conversations?limit=2&cursor=" + listCursor).get("items")).hasSize(2);
        assertThat(json("/api/conversations/c-0/messages?limit=2&cursor=" + messagesCursor).get("items")).hasSize(2);

        List<String> forged = new ArrayList<>();
        // The cursors, unsigned as clients could once send them, and with a made-up signature.
        for (String raw : List.of("-:9223372036854775807:x", "-:-9223372036854775807:x", "1:1:9999999999999999999",
                "-:1:a\u0000b", "-:1:x")) {
            String body = Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
            forged.add(body);
            forged.add(body + ".AAAAAAAAAAAAAAAAAAAAAA");
        }
        // Every one-character change of real cursors.
        for (String cursor : List.of(listCursor, messagesCursor)) {
            for (int i = 0; i < cursor.length(); i++) {
                char flipped = cursor.charAt(i) == 'A' ? 'B' : 'A';
                forged.add(cursor.substring(0, i) + flipped + cursor.substring(i + 1));
            }
            forged.add(cursor.substring(0, cursor.length() - 1));
            forged.add(cursor + "A");
            forged.add(cursor.replace(".", ""));
        }
        long events = api.count("select count(*) from events");
        for (String cursor : forged) {
            for (String path : List.of("/api/conversations?cursor=", "/api/conversations/c-0/messages?cursor=")) {
                EntityExchangeResult<byte[]> result = get(path + cursor);
                assertThat(result.getStatus().value()).as(path + cursor).isEqualTo(400);
                assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            }
        }
        // A cursor of one list is no cursor of another.
        assertThat(get("/api/conversations?cursor=" + messagesCursor).getStatus().value()).isEqualTo(400);
        assertThat(get("/api/conversations/c-0/messages?cursor=" + listCursor).getStatus().value()).isEqualTo(400);
        assertThat(get("/api/conversations/c-1/messages?cursor=" + messagesCursor).getStatus().value()).isEqualTo(400);
        assertThat(api.count("select count(*) from events")).isEqualTo(events);
        api.assertHealthy();
    }

    @Test
    void theSummaryWithoutAWindowCountsConversationsThatNeverStarted() {
        streamWholeConversation();
        // Events of a conversation whose conversation.started never arrived: a placeholder.
        api.ingest("{\"type\":\"message.created\",\"timestamp\":\"2026-11-21T09:00:00Z\",\"data\":{"
                + "\"conversation_id\":\"never-started\",\"agent_type\":\"claude\",\"content\":\"hi\"}}")
                .expectStatus().isCreated();
        assertThat(api.count("select count(*) from conversations where started_at is null")).isEqualTo(1);
        JsonNode summary = json("/api/metrics/summary");
        long counted = 0;
        for (JsonNode count : summary.get("conversations_by_status")) {
            counted += count.asLong();
        }
        assertThat(counted).isEqualTo(api.count("select count(*) from conversations")).isEqualTo(2);
        assertThat(summary.get("conversations_by_status").get("ACTIVE").asLong()).isEqualTo(1);
    }

    @Test
    void untilBeforeSinceIsA400OnBothEndpoints() {
        for (String path : List.of("/api/conversations", "/api/metrics/summary")) {
            for (String window : List.of("since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z",
                    "since=2026-12-01T00:00:00Z&until=2026-12-01T00:00:00Z")) {
                EntityExchangeResult<byte[]> result = get(path + "?" + window);
                assertThat(result.getStatus().value()).as(path + "?" + window).isEqualTo(400);
                assertThat(new String(result.getResponseBody(), StandardCharsets.UTF_8)).contains("\"field\":\"until\"");
            }
        }
    }

    @Test
    void anOverlongRequestLineIsA414ProblemAndA10000CharacterIdA404() throws Exception {
        String id = "x".repeat(10_000);
        EntityExchangeResult<byte[]> longId = get("/api/conversations/" + id);
        assertThat(longId.getStatus().value()).isEqualTo(404);
        assertThat(longId.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        String response = raw("GET /api/conversations?cursor=" + "A".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + Api.KEY + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 414").contains("application/problem+json")
                .contains("\"type\":\"urn:problem:agentstream:uri-too-long\"").contains("\"status\":414");
        String headers = raw("GET /api/conversations HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n");
        assertThat(headers).startsWith("HTTP/1.1 431").contains("\"status\":431");
        api.assertHealthy();
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Limits, cursors, times, 10,000-character ids, SQL metacharacters and NUL in {@code q},
     * unknown formats and types, repeated parameters: each a 4xx problem or a harmless 200.
     */
    @Test
    void hostileInputsToEveryReadEndpointGetA4xxOrAHarmless200() {
        streamWholeConversation();
        String longId = "i".repeat(10_000);
        String c = "/api/conversations/" + CONVERSATION;
        List<String> uris = new ArrayList<>();
        for (String limit : List.of("0", "-1", "101", "1e3", "99999999999999999999", "%00", "", "1.5", "0x10", "１")) {
            uris.add("/api/conversations?limit=" + limit);
            uris.add(c + "/messages?limit=" + limit);
            uris.add("/api/events?limit=" + limit);
        }
        for (String time : List.of("yesterday", "2026-13-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                "-2026-01-01T00:00:00Z", "2026-11-20T10:15:02", "2026-11-20T10:15:02%2B25:00", "%00", "2026-02-30T00:00:00Z",
                "1970-01-01T00:00:00Z", "99999-01-01T00:00:00Z")) {
            uris.add("/api/conversations?since=" + time);
            uris.add("/api/conversations?until=" + time);
            uris.add("/api/metrics/summary?since=" + time);
            uris.add("/api/metrics/summary?until=" + time);
        }
        for (String q : List.of("'", "%27%3B%20drop%20table%20events%3B--", "%25", "_", "%5C", "%00", "a%00b", "%E2%80%AE",
                "%ED%A0%80", "x".repeat(257), "%27%20or%20%271%27%3D%271", "*", "(", "%5B%5Ea%5D")) {
            uris.add("/api/conversations?q=" + q);
            uris.add("/api/conversations?mode=" + q);
            uris.add("/api/conversations?agent_type=" + q);
            uris.add("/api/conversations?model=" + q);
        }
        for (String cursor : List.of("%00", "....", "A".repeat(600), "-:1:x", "%E2%80%AE", "bm90LWEtY3Vyc29y.AAAA")) {
            uris.add("/api/conversations?cursor=" + cursor);
            uris.add(c + "/messages?cursor=" + cursor);
        }
        for (String id : List.of(longId, "%00", "..", "a%2Fb", "%27", "%E2%80%AE", "a%20b")) {
            uris.add("/api/conversations/" + id);
            uris.add("/api/conversations/" + id + "/messages");
            uris.add("/api/conversations/" + id + "/export");
            uris.add("/api/events?conversation_id=" + id);
        }
        for (String format : List.of("pdf", "JSON", "", "%00", "json,markdown", "x".repeat(300))) {
            uris.add(c + "/export?format=" + format);
        }
        for (String after : List.of("-1", "abc", "99999999999999999999", "1e3", "%00")) {
            uris.add("/api/events?after=" + after);
        }
        for (String types : List.of("nope", "message.created,,", "%00", "message.created,nope", "x".repeat(10_000))) {
            uris.add("/api/events?types=" + types);
        }
        for (String keyId : List.of("1", "abc", "%00", "env-zz", "x".repeat(10_000))) {
            uris.add("/api/events?key_id=" + keyId);
        }
        uris.add("/api/conversations?status=active");
        uris.add("/api/conversations?status=ACTIVE&status=ERROR");
        uris.add("/api/conversations?limit=1&limit=2");
        uris.add(c + "/export?format=json&format=markdown");

        long conversations = api.count("select count(*) from conversations");
        long messages = api.count("select count(*) from messages");
        long events = api.count("select count(*) from events");
        for (String uri : uris) {
            EntityExchangeResult<byte[]> result = get(uri);
            int status = result.getStatus().value();
            assertThat(status).as(abbreviated(uri)).isLessThan(500);
            if (status >= 400) {
                assertThat(result.getResponseHeaders().getContentType()).as(abbreviated(uri))
                        .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            } else {
                assertThat(status).as(abbreviated(uri)).isEqualTo(200);
            }
        }
        assertThat(api.count("select count(*) from conversations")).isEqualTo(conversations);
        assertThat(api.count("select count(*) from messages")).isEqualTo(messages);
        assertThat(api.count("select count(*) from events")).isEqualTo(events);
        api.assertHealthy();
    }

    private static String abbreviated(String uri) {
        return uri.length() <= 120 ? uri : uri.substring(0, 120) + "…(" + uri.length() + ")";
    }
}
