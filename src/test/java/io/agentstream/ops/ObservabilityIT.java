package io.agentstream.ops;

import java.nio.charset.StandardCharsets;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.agentstream.support.Api;
import io.agentstream.support.StreamClient;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = "logging.level.io.agentstream.problem=DEBUG")
class ObservabilityIT {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Autowired
    Api api;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

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
        api.ingest("[" + fixture("log-entry.json") + "," + fixture("bridge-test.json") + "]").expectStatus().isOk();
        String metrics = prometheus();
        assertThat(metrics)
                .containsPattern("agentstream_ingest_batch_events_count\\{[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_batch_events_sum\\{[^}]*} 2\\.0")
                .containsPattern("agentstream_upload_size_bytes_count\\{[^}]*} [1-9]")
                .containsPattern("agentstream_upload_messages_count\\{[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"stored\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"duplicate\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .containsPattern("agentstream_ingest_events_total\\{[^}]*outcome=\"rejected\"[^}]*type=\"message.created\"[^}]*} [1-9]")
                .contains("agentstream_ingest_latency_seconds_bucket{")
                .containsPattern("agentstream_uploads_total\\{[^}]*format=\"json\"[^}]*outcome=\"created\"[^}]*} [1-9]")
                .contains("agentstream_stream_connections{")
                .contains("agentstream_stream_slow_consumers_total{")
                .contains("agentstream_stream_events_replayed_total{")
                .contains("r2dbc_pool_acquired_connections{")
                .contains("http_server_requests_seconds_count{")
                // Per-query timers are DATABASE_QUERY_METRICS's (TracingExportIT); no per-filter timers.
                .doesNotContain("r2dbc_query_seconds")
                .doesNotContain("spring_security_filterchains");
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
        // The store was emptied for this test; a check round from before that may answer for a second.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(200))
                .untilAsserted(() -> api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                        .expectBody().jsonPath("$.database.last_event_at").isEmpty());
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        // Health's checks answer for a second: the event shows within one round.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(200))
                .untilAsserted(() -> api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                        .expectBody()
                        .jsonPath("$.status").isEqualTo("UP")
                        .jsonPath("$.database.last_event_at").isNotEmpty()
                        .jsonPath("$.redis.status").isEqualTo("NOT_CONFIGURED")
                        .jsonPath("$.sse_connections").isEqualTo(0));
    }

    @Test
    void streamsAreMeasuredFromConnectToClose() {
        StreamClient streams = new StreamClient(port);
        // Connected first, then an event is stored: it reaches the stream live.
        ServerSentEvent<String> delivered = streams.stream(null, null)
                .concatMap(frame -> StreamClient.isConnected(frame)
                        ? streams.ingestMessage("conversation-metrics", 1, "hello").then(Mono.<ServerSentEvent<String>>empty())
                        : Mono.just(frame))
                .filter(frame -> frame.id() != null)
                .blockFirst(WAIT);
        assertThat(delivered).isNotNull();
        // A resume from beyond the log: nothing to recover, so recovered=false.
        assertThat(streams.stream(null, "999999999").filter(StreamClient::isConnected).blockFirst(WAIT).data())
                .contains("\"recovered\":false");
        streams.streamWithQuery("access_token=not-a-valid-token").onErrorResume(error -> Flux.empty()).blockLast(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus())
                .containsPattern("agentstream_stream_deliveries_total\\{[^}]*} [1-9]")
                .containsPattern("agentstream_stream_delivery_latency_seconds_bucket\\{[^}]*le=\"[^\"]+\"[^}]*} [1-9]")
                .containsPattern("agentstream_stream_delivery_latency_seconds_count\\{[^}]*} [1-9]")
                .containsPattern("agentstream_stream_duration_seconds_count\\{[^}]*reason=\"client\"[^}]*} [1-9]")
                .containsPattern("agentstream_stream_resumes_total\\{[^}]*recovered=\"false\"[^}]*} [1-9]")
                .containsPattern("agentstream_stream_rejections_total\\{[^}]*reason=\"auth\"[^}]*} [1-9]")
                .contains("agentstream_stream_rejections_total{application=\"agentstream\",reason=\"cap\"}")
                .contains("agentstream_stream_rejections_total{application=\"agentstream\",reason=\"per_address\"}")
                .contains("agentstream_stream_rejections_total{application=\"agentstream\",reason=\"connect_rate\"}"));
    }

    @Test
    void everyRequestIsLoggedOnceWithItsIdsButNeverItsKeyTokenOrQuery(CapturedOutput output) {
        String ingestId = api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                .header("traceparent", TRACEPARENT).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(fixture("bridge-connected.json")).exchange()
                .expectStatus().isOk()
                .expectHeader().exists("X-Request-Id")
                .returnResult(String.class).getResponseHeaders().getFirst("X-Request-Id");
        String refusedId = api.client().get().uri("/api/conversations?status=ACTIVE").exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.request_id").value(id -> assertThat(id).isNotNull())
                .returnResult().getResponseHeaders().getFirst("X-Request-Id");
        String tokenId = api.client().get().uri("/api/realtime/stream?access_token=secret-token-value-123").exchange()
                .expectStatus().isUnauthorized()
                .returnResult(String.class).getResponseHeaders().getFirst("X-Request-Id");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(accessLines(output, ingestId)).singleElement().asString()
                    .contains("method=POST route=/api/ingest status=200 duration_ms=")
                    .containsPattern("bytes=[1-9]").contains("client=127.0.0.1").contains("key_id=")
                    .doesNotContain("key_id=-").contains("trace_id=" + TRACE_ID);
            assertThat(accessLines(output, refusedId)).singleElement().asString()
                    .contains("method=GET route=/api/conversations status=401").contains("key_id=-");
            assertThat(accessLines(output, tokenId)).singleElement().asString()
                    .contains("route=/api/realtime/stream status=401");
        });
        assertThat(output.getAll()).doesNotContain(Api.KEY).doesNotContain("secret-token-value-123")
                .doesNotContain("status=ACTIVE");
    }

    @Test
    void everyLineOfARequestCarriesItsIdAcrossThreads(CapturedOutput output) {
        // The problem handler's line of a rejected event (DEBUG here) is written in the request's scope.
        String rejectedId = api.ingest("{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07Z\",\"data\":{}}")
                .expectStatus().isBadRequest()
                .returnResult(String.class).getResponseHeaders().getFirst("X-Request-Id");
        // The stream's open line is written on the database driver's thread (the resume point is
        // looked up), its close line when the client goes away.
        AtomicReference<String> streamId = new AtomicReference<>();
        WebClient.create("http://127.0.0.1:" + port).get().uri("/api/realtime/stream")
                .header("Authorization", "Bearer " + Api.KEY).header("Last-Event-ID", "999999999")
                .exchangeToFlux(response -> {
                    streamId.set(response.headers().asHttpHeaders().getFirst("X-Request-Id"));
                    return response.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { });
                })
                .take(1).blockLast(WAIT);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(linesWith(output, "rejected: 400")).anySatisfy(line -> assertThat(line).contains("[" + rejectedId + "]"));
            assertThat(linesWith(output, "Stream opened: client=127.0.0.1"))
                    .anySatisfy(line -> assertThat(line).contains("[" + streamId.get() + "]").contains("recovered=false"));
            assertThat(linesWith(output, "Stream closed: client=127.0.0.1")).anySatisfy(line -> assertThat(line)
                    .contains("[" + streamId.get() + "]").contains("events_sent=0").contains("reason=client")
                    .containsPattern("duration_ms=\\d+").containsPattern("key_id=\\S+"));
            assertThat(accessLines(output, streamId.get())).singleElement().asString()
                    .contains("route=/api/realtime/stream status=200");
        });
        assertThat(linesWith(output, "Stream opened")).allSatisfy(line -> assertThat(line).contains(" INFO "));
    }

    @Test
    void withoutAnOtlpEndpointNoTracingSdkIsStarted() {
        // No SDK: no span processor thread, no exporter; Micrometer's tracer sits on OpenTelemetry's no-op.
        assertThat(context.getBeanNamesForType(io.opentelemetry.sdk.trace.SdkTracerProvider.class)).isEmpty();
        assertThat(context.getBeanNamesForType(io.opentelemetry.sdk.trace.export.SpanExporter.class)).isEmpty();
        assertThat(context.getBeanNamesForType(io.opentelemetry.sdk.trace.SpanProcessor.class)).isEmpty();
    }

    private static List<String> accessLines(CapturedOutput output, String requestId) {
        return output.getAll().lines().filter(line -> line.contains("io.agentstream.access"))
                .filter(line -> line.contains("request_id=" + requestId + " ") || line.endsWith("request_id=" + requestId))
                .toList();
    }

    private static List<String> linesWith(CapturedOutput output, String text) {
        return output.getAll().lines().filter(line -> line.contains(text)).toList();
    }
}
