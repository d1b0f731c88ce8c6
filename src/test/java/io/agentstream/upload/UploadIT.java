package io.agentstream.upload;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class UploadIT {

    static final String SESSION = "hist-2026-11-01-a";

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    WebTestClient.ResponseSpec upload(String body, MediaType type) {
        return api.client().post().uri("/api/sessions/upload")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(type)
                .bodyValue(body)
                .exchange();
    }

    @Test
    void theWebAppsUploadFormatIsStoredWithTotalsAndOneUploadedEvent() {
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON)
                .expectStatus().isCreated()
                .expectBody().json("""
                        {"conversation_id":"hist-2026-11-01-a","messages_created":2,"agents_created":2,
                         "total_tokens":395,"total_cost":0.0047}""", true);
        assertThat(api.row("select * from conversations where id = $1", SESSION))
                .containsEntry("source", "cli-upload").containsEntry("status", "COMPLETED")
                .containsEntry("name", "Historical product discussion").containsEntry("is_placeholder", false)
                .containsEntry("message_count", 2L).containsEntry("tokens_used", 395L)
                .containsEntry("os", "linux").containsEntry("max_turns", 4);
        assertThat((BigDecimal) api.single("select cost from conversations")).isEqualByComparingTo("0.00473");
        assertThat((BigDecimal) api.single("select duration_seconds from conversations")).isEqualByComparingTo("300");
        assertThat(api.count("select count(*) from conversation_agents where conversation_id = $1", SESSION)).isEqualTo(2);
        assertThat(api.numbers("select sequence_number from messages order by sequence_number")).containsExactly(1L, 2L);
        assertThat(api.count("select count(*) from events where type = 'session.uploaded' and source = 'cli-upload'")).isEqualTo(1);
        assertThat(api.count("select count(*) from events")).isEqualTo(1);
    }

    @Test
    void theSameUploadAgainStoresNothingAndSaysSo() {
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON).expectStatus().isCreated();
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON)
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.duplicate").isEqualTo(true)
                .jsonPath("$.messages_created").isEqualTo(0)
                .jsonPath("$.agents_created").isEqualTo(0);
        assertThat(api.count("select count(*) from messages")).isEqualTo(2);
        assertThat(api.count("select message_count from conversations")).isEqualTo(2);
        assertThat(api.count("select count(*) from events")).isEqualTo(1);
    }

    @Test
    void anUploadThatAddsMessagesToAKnownConversationAddsOnlyTheNewOnes() {
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON).expectStatus().isCreated();
        String extended = fixture("session-upload.json").replace("]}", ",{\"agent_type\":\"claude\",\"agent_name\":\"PM\","
                + "\"content\":\"And then pricing.\",\"timestamp\":\"2026-11-01T10:03:00Z\",\"sequence_number\":3,"
                + "\"tokens_used\":100,\"cost\":0.001}]}");
        upload(extended, MediaType.APPLICATION_JSON)
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.messages_created").isEqualTo(1).jsonPath("$.agents_created").isEqualTo(0);
        assertThat(api.row("select message_count, tokens_used from conversations"))
                .containsEntry("message_count", 3L).containsEntry("tokens_used", 495L);
        assertThat(api.count("select count(*) from events where type = 'session.uploaded'")).isEqualTo(2);
    }

    @Test
    void theClisEventLogReplaysWithIngestSemantics() {
        String log = fixture("events_" + CONVERSATION + ".jsonl");
        long messages = log.lines().filter(line -> line.contains("\"message.created\"")).count();
        upload(log, MediaType.APPLICATION_NDJSON)
                .expectStatus().isCreated()
                .expectBody()
                .jsonPath("$.conversation_id").isEqualTo(CONVERSATION)
                .jsonPath("$.messages_created").isEqualTo((int) messages);
        long lines = log.lines().filter(line -> !line.isBlank()).count();
        assertThat(api.count("select count(*) from events where source = 'cli-upload' and type <> 'session.uploaded'")).isEqualTo(lines);
        assertThat(api.count("select count(*) from events where type = 'session.uploaded'")).isEqualTo(1);
        assertThat(api.count("select count(*) from messages")).isEqualTo(messages);
        assertThat(api.single("select source from conversations where id = $1", CONVERSATION)).isEqualTo("cli-upload");

        upload(log, MediaType.APPLICATION_NDJSON).expectStatus().isOk().expectBody().jsonPath("$.duplicate").isEqualTo(true);
        assertThat(api.count("select count(*) from events")).isEqualTo(lines + 1);
    }

    @Test
    void oneInvalidMessageInTheMiddleRejectsTheWholeUpload() {
        String body = fixture("session-upload.json")
                .replace("\"content\":\"Agreed; personas first.\",", "")
                .replace("\"cost\":0.0043", "\"cost\":-1");
        upload(body, MediaType.APPLICATION_JSON)
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem:agentstream:invalid-upload")
                .jsonPath("$.errors[?(@.field == 'messages[1].content')]").exists()
                .jsonPath("$.errors[?(@.field == 'messages[1].cost')]").exists();
        assertNothingStored();

        String log = fixture("events_" + CONVERSATION + ".jsonl");
        List<String> lines = log.lines().toList();
        String broken = String.join("\n", lines.subList(0, 3)) + "\n"
                + lines.get(3).replace("\"agent_type\"", "\"agent_typo\"") + "\n" + String.join("\n", lines.subList(4, lines.size()));
        upload(broken, MediaType.APPLICATION_NDJSON)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("line 4: data.agent_type");
        assertNothingStored();
    }

    @Test
    void badBodiesAreRejectedWithAProblemAndStoreNothing() {
        record Case(String body, MediaType type, int status, String problem) {
        }
        String good = fixture("session-upload.json");
        for (Case c : List.of(
                new Case(good, MediaType.TEXT_PLAIN, 415, "unsupported-media-type"),
                new Case("", MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case("{\"conversation\":", MediaType.APPLICATION_JSON, 400, "malformed-json"),
                new Case("[1,2]", MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case("{\"agents\":[],\"messages\":[]}", MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("\"messages\":[", "\"messages\":\"x\",\"ignored\":["), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("\"status\":\"COMPLETED\"", "\"status\":\"DONE\""), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("\"started_at\":\"2026-11-01T10:00:00Z\"", "\"started_at\":\"yesterday\""), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("Let us focus", "Let us \\u0000 focus"), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("Let us focus", "Let us \\ud83d focus"), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("\"started_at\":\"2026-11-01T10:00:00Z\"", "\"started_at\":\"0000-01-01T00:00:00Z\""), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case(good.replace("\"tokens_used\":215", "\"tokens_used\":\"215\""), MediaType.APPLICATION_JSON, 400, "invalid-upload"),
                new Case("", MediaType.APPLICATION_NDJSON, 400, "invalid-upload"),
                new Case("{\"type\":\"bridge.test\",\"timestamp\":\"2026-11-20T10:15:00Z\",\"data\":{}}", MediaType.APPLICATION_NDJSON, 400, "invalid-upload"),
                new Case("not json\n", MediaType.APPLICATION_NDJSON, 400, "invalid-upload"))) {
            upload(c.body(), c.type())
                    .expectStatus().isEqualTo(c.status())
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:" + c.problem());
            assertNothingStored();
        }
        api.client().post().uri("/api/sessions/upload").contentType(MediaType.APPLICATION_JSON).bodyValue(good)
                .exchange().expectStatus().isUnauthorized();
        assertNothingStored();
        api.assertHealthy();
    }

    @Test
    void aTenThousandMessageSessionUploadsInOneRequest() {
        StringBuilder body = new StringBuilder("{\"conversation\":{\"name\":\"Long session\",\"mode\":\"round-robin\","
                + "\"started_at\":\"2026-11-01T10:00:00Z\",\"status\":\"COMPLETED\"},"
                + "\"agents\":[{\"agent_type\":\"claude\",\"agent_name\":\"A\"},{\"agent_type\":\"gemini\",\"agent_name\":\"B\"}],"
                + "\"messages\":[");
        for (int i = 0; i < 10_000; i++) {
            body.append(i == 0 ? "" : ",").append("{\"agent_type\":\"").append(i % 2 == 0 ? "claude" : "gemini")
                    .append("\",\"agent_name\":\"").append(i % 2 == 0 ? "A" : "B")
                    .append("\",\"content\":\"Message ").append(i).append(' ').append("x".repeat(400))
                    .append("\",\"timestamp\":\"2026-11-01T10:00:00Z\",\"sequence_number\":").append(i + 1)
                    .append(",\"turn_number\":").append(i / 2 + 1)
                    .append(",\"tokens_used\":100,\"cost\":0.001,\"model\":\"m\",\"duration_ms\":10}");
        }
        body.append("]}");
        String json = body.toString();
        upload(json, MediaType.APPLICATION_JSON).expectStatus().isCreated(); // warm-up of the path, on its own conversation
        api.clear();
        long started = System.nanoTime();
        upload(json, MediaType.APPLICATION_JSON)
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.messages_created").isEqualTo(10_000).jsonPath("$.total_tokens").isEqualTo(1_000_000);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("UPLOAD 10,000 messages (%d KB body) in %.3f s = %.0f rows/s%n",
                json.length() / 1024, seconds, 10_000 / seconds);
        assertThat(api.count("select count(*) from messages")).isEqualTo(10_000);
        assertThat(api.count("select message_count from conversations")).isEqualTo(10_000);
        assertThat(api.count("select max_turn_number from conversations")).isEqualTo(5_000);
        assertThat((BigDecimal) api.single("select cost from conversations")).isEqualByComparingTo("10.000");
    }

    @Test
    void theStreamGetsOneUploadedEventNotOnePerMessage() {
        StreamClient stream = new StreamClient(port);
        CompletableFuture<List<ServerSentEvent<String>>> received = stream.events(null, null).take(1).collectList().toFuture();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> api.count("select 1") == 1 && !received.isDone() && streamOpen());
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON).expectStatus().isCreated();
        ServerSentEvent<String> event = received.join().getFirst();
        assertThat(event.data()).contains("\"type\":\"session.uploaded\"").contains("\"messages_created\": 2");
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private boolean streamOpen() {
        return meters.get("agentstream.stream.connections").gauge().value() >= 1;
    }

    private void assertNothingStored() {
        assertThat(api.count("select count(*) from conversations")).isZero();
        assertThat(api.count("select count(*) from messages")).isZero();
        assertThat(api.count("select count(*) from events")).isZero();
    }
}
