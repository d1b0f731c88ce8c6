package io.agentstream.ops;

import java.nio.charset.StandardCharsets;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class ObservabilityIT {

    @Autowired
    Api api;

    private String prometheus() {
        return new String(api.client().get().uri("/actuator/prometheus").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
    }

    @Test
    void metricsArePresentAndMoveWithTraffic() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.ingest("{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07Z\",\"data\":{}}").expectStatus().isBadRequest();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("session-upload.json")).exchange()
                .expectStatus().isCreated();
        String metrics = prometheus();
        assertThat(metrics)
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"stored\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"duplicate\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"rejected\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .contains("agentstream_ingest_latency_seconds_bucket{")
                .containsPattern("agentstream_uploads_total\\{[^}]*format=\"json\"[^}]*outcome=\"created\"[^}]*} [1-9]")
                .contains("agentstream_stream_connections{")
                .contains("agentstream_stream_slow_consumers_total{")
                .contains("agentstream_stream_events_replayed_total{")
                .contains("r2dbc_pool_acquired_connections{")
                .contains("r2dbc_query_seconds_count{")
                .contains("http_server_requests_seconds_count{");
        assertThat(metrics).doesNotContain(Api.KEY);
    }

    @Test
    void metricsNeedAnAdminKeyOnTheServicePortButProbesDoNot() {
        api.client().get().uri("/actuator/prometheus").exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        api.client().get().uri("/actuator/prometheus").header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:insufficient-scope");
        api.client().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        api.client().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void healthReportsTheLastEventTimeAndTheStreams() {
        api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.database.last_event_at").isEmpty();
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.database.last_event_at").isNotEmpty()
                .jsonPath("$.redis.status").isEqualTo("NOT_CONFIGURED")
                .jsonPath("$.sse_connections").isEqualTo(0);
    }
}
