package io.agentstream.ingest;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What one event and all requests in progress may hold, in bytes: an event larger than
 * INGEST_MAX_EVENT_SIZE (as sent or as stored) is a 413 of its own, and requests past
 * INGEST_MAX_IN_FLIGHT_BYTES are told 503 with Retry-After while the others finish.
 */
@IntegrationTest
@TestPropertySource(properties = {"agentstream.ingest.max-body-size=64KB", "agentstream.ingest.max-in-flight-bytes=64KB",
        "agentstream.ingest.max-event-size=4KB"})
class IngestMemoryBoundsIT {

    static final String LOG = fixture("log-entry.json").strip();

    @Autowired
    Api api;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    static String logWithContent(int characters) {
        return LOG.replace("\"Turn 1 complete\"", "\"" + "c".repeat(characters) + "\"");
    }

    @Test
    void anEventLargerThanTheEventLimitIs413AndNothingIsStored() {
        api.ingest(logWithContent(5_000)).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:event-too-large")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("INGEST_MAX_EVENT_SIZE"));
        assertThat(api.count("select count(*) from events")).isZero();
        api.assertHealthy();
    }

    @Test
    void anEventThatWouldBeStoredLargerThanTheLimitIs413() {
        // 700 bytes as sent; written out as PostgreSQL stores and streams it, about 43 KB.
        String numbers = "[" + String.join(",", java.util.Collections.nCopies(140, "1e300")) + "]";
        api.ingest(LOG.replace("\"metadata\":{", "\"metadata\":{\"n\":" + numbers + ","))
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:event-too-large");
        assertThat(api.count("select count(*) from events")).isZero();
    }

    @Test
    void anNdjsonLineLongerThanAnEventIsRefusedAloneAndTheOthersAreStored() {
        String body = fixture("bridge-connected.json").strip() + "\n" + logWithContent(5_000) + "\n" + LOG + "\n";
        api.ingest(body, MediaType.APPLICATION_NDJSON).expectStatus().isOk()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(2)
                .jsonPath("$.results[1].status").isEqualTo(413)
                .jsonPath("$.results[1].line").isEqualTo(2)
                .jsonPath("$.results[1].type").isEqualTo("urn:problem:agentstream:event-too-large");
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
    }

    @Test
    void requestsPastTheInFlightBytesAre503WithRetryAfterUntilTheOthersFinish() {
        // A body without a declared length holds INGEST_MAX_BODY_SIZE, here all of the 64 KB.
        Sinks.One<DataBuffer> rest = Sinks.one();
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<DataBuffer> body = Flux.concat(Mono.just(buffers.wrap((LOG + "\n").getBytes(StandardCharsets.UTF_8))), rest.asMono());
        Mono<String> held = WebClient.create("http://127.0.0.1:" + port).post().uri("/api/ingest")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_NDJSON)
                .body(body, DataBuffer.class)
                .retrieve().bodyToMono(String.class)
                .cache();
        held.subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("agentstream.ingest.in.flight").gauge().value() > 0);

        api.ingest(fixture("bridge-connected.json")).expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:ingest-busy");

        rest.tryEmitValue(buffers.wrap((fixture("bridge-test.json").strip() + "\n").getBytes(StandardCharsets.UTF_8)));
        assertThat(held.block(Duration.ofSeconds(10))).contains("\"accepted\":2");
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("agentstream.ingest.in.flight").gauge().value() == 0);
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        assertThat(api.count("select count(*) from events")).isEqualTo(3);
        api.assertHealthy();
    }
}
