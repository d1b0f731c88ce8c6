package io.agentstream.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With an OTLP endpoint, requests are traced and exported: a request that arrives with a W3C
 * traceparent continues that trace, and its spans reach the collector (here a minimal OTLP/HTTP
 * receiver that keeps what it is sent). The service is configured as OTEL_EXPORTER_OTLP_ENDPOINT
 * would configure it; the receiver's port is only known once it listens. With
 * DATABASE_QUERY_METRICS, every statement is timed (and is a span of the request's trace).
 */
@IntegrationTest
@TestPropertySource(properties = {
        "management.opentelemetry.enabled=true",
        "management.tracing.export.enabled=true",
        "management.opentelemetry.tracing.export.schedule-delay=100ms",
        "agentstream.database.query-metrics=true"})
class TracingExportIT {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final List<byte[]> RECEIVED = new CopyOnWriteArrayList<>();
    private static final HttpServer COLLECTOR = collector();

    @Autowired
    Api api;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void otlpEndpoint(DynamicPropertyRegistry registry) {
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint",
                () -> "http://127.0.0.1:" + COLLECTOR.getAddress().getPort() + "/v1/traces");
    }

    @AfterAll
    static void stopCollector() {
        COLLECTOR.stop(0);
    }

    @Test
    void aRequestWithATraceparentIsExportedInThatTrace() {
        api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json")).exchange()
                .expectStatus().isOk().expectHeader().exists("X-Request-Id");
        byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(RECEIVED).anySatisfy(body -> assertThat(indexOf(body, traceId)).isNotNegative()));
        api.assertHealthy();
    }

    @Test
    void everyStatementIsTimedWhenQueryMetricsAreOn() {
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(meters.find("r2dbc.query").timers()).isNotEmpty()
                        .anySatisfy(timer -> assertThat(timer.count()).isPositive()));
    }

    private static HttpServer collector() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/traces", exchange -> {
                RECEIVED.add(exchange.getRequestBody().readAllBytes());
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
