package io.agentstream.ops;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;
import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sentry against a local HTTP endpoint standing in for sentry.io, recording what would be
 * sent: an unexpected failure arrives with release and environment, and without the
 * Authorization header, the key, the stream token or the message content of the request.
 */
@IntegrationTest
class SentryIT {

    static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    static final HttpServer SENTRY = start();

    static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                InputStream body = exchange.getRequestBody();
                byte[] bytes = body.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
                }
                RECEIVED.add(exchange.getRequestURI() + "\n" + exchange.getRequestHeaders().entrySet() + "\n"
                        + new String(bytes, StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void sentry(DynamicPropertyRegistry registry) {
        registry.add("sentry.dsn", () -> "http://publickey@127.0.0.1:" + SENTRY.getAddress().getPort() + "/1");
        registry.add("sentry.environment", () -> "test");
    }

    @AfterAll
    static void stop() {
        SENTRY.stop(0);
    }

    @Autowired
    Api api;

    /**
     * An unexpected failure on a real route: PostgreSQL refuses a message with an error no
     * client caused (a trigger standing in for a bug), and its message quotes the key.
     */
    private void failOnPoisonedMessages() {
        api.rows("""
                create or replace function refuse_sentry_poison() returns trigger language plpgsql as $$
                begin
                    if new.content like '%sentry-poison%' then
                        raise exception 'lookup failed for Authorization: Bearer {key}';
                    end if;
                    return new;
                end $$""".replace("{key}", Api.KEY));
        api.rows("drop trigger if exists refuse_sentry_poison on messages");
        api.rows("create trigger refuse_sentry_poison before insert on messages for each row execute function refuse_sentry_poison()");
    }

    private static String poisoned(String content) {
        return Api.fixture("message-created.json")
                .replaceFirst("\"content\":\\s*\"[^\"]*\"", "\"content\": \"" + content + " sentry-poison\"")
                .replaceFirst("\"message_id\":\\s*\"[^\"]*\"", "\"message_id\": \"" + java.util.UUID.randomUUID() + "\"");
    }

    @Test
    void anUnexpectedFailureIsReportedScrubbed() {
        failOnPoisonedMessages();
        api.client().post().uri("/api/ingest?access_token=stream-token-123456")
                .header("Authorization", "Bearer " + Api.KEY)
                .header("Cookie", "session=cookie-secret")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(poisoned("secret message content"))
                .exchange()
                .expectStatus().isEqualTo(500)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:internal-error");
        // The error event: its exceptions keep their types and frames, never their messages.
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> RECEIVED.stream().anyMatch(envelope -> envelope.contains("\"type\":\"event\"")));
        String envelope = RECEIVED.stream().filter(e -> e.contains("\"type\":\"event\"")).findFirst().orElseThrow();
        assertThat(envelope)
                .doesNotContain("lookup failed for")
                .contains("\"environment\":\"test\"")
                .contains("\"release\":\"agentstream@")
                .contains("request_id")
                .contains("[scrubbed]")
                .doesNotContain(Api.KEY)
                .doesNotContain("stream-token-123456")
                .doesNotContain("cookie-secret")
                .doesNotContain("secret message content");
        // Deliberate answers (a 400) are not errors worth reporting: between the 400 and a second
        // failure, exactly one event (the failure's) arrives; the transport keeps their order.
        int before = RECEIVED.size();
        api.ingest("{}").expectStatus().isBadRequest();
        api.ingest(poisoned("second")).expectStatus().isEqualTo(500);
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> RECEIVED.stream().skip(before).anyMatch(e -> e.contains("\"type\":\"event\"")));
        assertThat(RECEIVED.stream().skip(before).filter(e -> e.contains("\"type\":\"event\""))).hasSize(1);
        api.rows("drop trigger refuse_sentry_poison on messages");
        api.assertHealthy();
    }

    @Test
    void maskingCoversTheShapesOfSecrets() {
        assertThat(SentryScrubber.mask("Bearer abc.def and ap_live_XYZ_123 and ?access_token=t0k&x=1 key=k3y"))
                .isEqualTo("Bearer [scrubbed] and [scrubbed] and ?access_token=[scrubbed]&x=1 key=[scrubbed]");
    }
}
