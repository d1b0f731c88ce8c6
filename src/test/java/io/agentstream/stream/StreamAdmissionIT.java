package io.agentstream.stream;

import java.time.Duration;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import static io.agentstream.support.Api.fixture;

/** The connect rate per instance, and STREAM_PUBLIC. */
@IntegrationTest
@TestPropertySource(properties = {
        "agentstream.stream.max-connects-per-second=3",
        "agentstream.auth.public-stream=true"})
class StreamAdmissionIT {

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Test
    void newStreamsBeyondTheConnectRateAreTurnedAwayWithRetryAfter() {
        StreamClient stream = new StreamClient(port);
        for (int i = 0; i < 3; i++) {
            stream.stream(null, null).take(1).blockLast(Duration.ofSeconds(10));
        }
        api.client().get().uri("/api/realtime/stream").exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:connect-rate");
    }

    @Test
    void aPublicStreamNeedsNoKeyButIngestStillDoes() {
        api.client().get().uri("/api/events").exchange().expectStatus().isOk();
        api.client().post().uri("/api/ingest").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(fixture("bridge-connected.json")).exchange()
                .expectStatus().isUnauthorized();
    }
}
