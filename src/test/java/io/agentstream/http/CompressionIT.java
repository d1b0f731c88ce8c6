package io.agentstream.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * gzip for JSON and exports over 1 KB when the client accepts it; never for the stream.
 * Checked with the JDK's HTTP client, which hands over the bytes on the wire untouched:
 * through WebTestClient the same responses arrived without their Content-Encoding.
 */
@IntegrationTest
class CompressionIT {

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    private final HttpClient raw = HttpClient.newHttpClient();

    @BeforeEach
    void storeAConversationOfSomeKilobytes() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        for (int i = 1; i <= 20; i++) {
            api.ingest("""
                    {"type":"message.created","timestamp":"2026-11-20T10:15:07Z","data":{"conversation_id":"%s",\
                    "message_id":"m-%d","agent_id":"claude-1","agent_type":"claude","agent_name":"Architect",\
                    "content":"%s","sequence_number":%d}}""".formatted(Api.CONVERSATION, i, "a fairly long message ".repeat(10), i))
                    .expectStatus().isCreated();
        }
    }

    @Test
    void largeJsonAndExportsAreGzippedWhenTheClientAcceptsIt() throws Exception {
        for (String uri : new String[] {"/api/conversations/" + Api.CONVERSATION + "/messages",
                "/api/conversations/" + Api.CONVERSATION + "/export?format=json",
                "/api/conversations/" + Api.CONVERSATION + "/export?format=ndjson",
                "/api/conversations/" + Api.CONVERSATION + "/export?format=markdown",
                "/api/events?limit=100"}) {
            HttpResponse<byte[]> response = raw.send(get(uri).header("Authorization", "Bearer " + Api.KEY).header(HttpHeaders.ACCEPT_ENCODING, "gzip").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(uri).isEqualTo(200);
            assertThat(response.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).as(uri + " " + response.headers().map())
                    .hasValue("gzip");
            byte[] wire = response.body();
            assertThat(wire[0] & 0xff).as(uri).isEqualTo(0x1f);
            assertThat(wire[1] & 0xff).as(uri).isEqualTo(0x8b);
            String body = gunzip(wire);
            assertThat(body).as(uri).contains("a fairly long message");
            assertThat(body.length()).as(uri).isGreaterThan(1024).isGreaterThan(wire.length);
        }
    }

    @Test
    void withoutAcceptEncodingOrBelowOneKilobyteNothingIsCompressed() throws Exception {
        HttpResponse<byte[]> plain = raw.send(get("/api/conversations/" + Api.CONVERSATION + "/export?format=json")
                .header("Authorization", "Bearer " + Api.KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
        assertThat(new String(plain.body(), StandardCharsets.UTF_8)).contains("a fairly long message");
        HttpResponse<String> health = raw.send(get("/api/health").header(HttpHeaders.ACCEPT_ENCODING, "gzip").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void theStreamIsNeverCompressed() throws Exception {
        // Resumed from the start: kilobytes of replayed frames, which must still arrive as plain text.
        HttpResponse<Stream<String>> stream = raw.send(get("/api/realtime/stream?conversation_id=" + Api.CONVERSATION)
                        .header("Authorization", "Bearer " + Api.KEY).header("Last-Event-ID", "0")
                        .header(HttpHeaders.ACCEPT_ENCODING, "gzip").header(HttpHeaders.ACCEPT, "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
        assertThat(stream.headers().firstValue(HttpHeaders.CONTENT_TYPE)).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/event-stream"));
        StringBuilder received = new StringBuilder();
        CompletableFuture<Void> untilLastMessage = CompletableFuture.runAsync(() -> stream.body()
                .peek(line -> received.append(line).append('\n'))
                .anyMatch(line -> line.contains("\"m-20\"")));
        try {
            untilLastMessage.get(10, TimeUnit.SECONDS);
        } finally {
            stream.body().close();
        }
        assertThat(received.toString()).startsWith("retry:").contains("data:{\"type\":\"connected\"")
                .contains("a fairly long message");
        assertThat(received.length()).isGreaterThan(1024);
    }

    private HttpRequest.Builder get(String uri) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri));
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
