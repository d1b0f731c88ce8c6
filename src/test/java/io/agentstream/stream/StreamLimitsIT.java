package io.agentstream.stream;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
@TestPropertySource(properties = {
        "agentstream.stream.max-connections=6",
        "agentstream.stream.max-connections-per-ip=4",
        "agentstream.stream.max-pending=8",
        "agentstream.stream.heartbeat-interval=200",
        "agentstream.stream.replay-buffer-size=4",
        "agentstream.http.trusted-proxies=127.0.0.1,::1"})
class StreamLimitsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    Api api;

    @Autowired
    ConnectionRegistry registry;

    @Autowired
    MeterRegistry meters;

    @Autowired
    StreamHub hub;

    @LocalServerPort
    int port;

    StreamClient stream;
    final List<Disposable> open = new ArrayList<>();

    @BeforeEach
    void client() {
        stream = new StreamClient(port);
    }

    @AfterEach
    void closeStreams() {
        open.forEach(Disposable::dispose);
        Awaitility.await().atMost(TIMEOUT).until(() -> registry.open() == 0);
    }

    private void openStream(String client) {
        CompletableFuture<Boolean> connected = new CompletableFuture<>();
        open.add(stream.stream(null, null, client).subscribe(frame -> connected.complete(true), connected::completeExceptionally));
        connected.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    @Test
    void aClientBeyondItsCapGets429AndTheInstanceBeyondItsCapGets503() {
        for (int i = 0; i < 4; i++) {
            openStream("10.0.0.1");
        }
        api.client().get().uri("/api/realtime/stream")
                .header("Authorization", "Bearer " + Api.KEY).header("X-Forwarded-For", "10.0.0.1")
                .exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("Retry-After", "3")
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:stream-client-limit");
        openStream("10.0.0.2");
        openStream("198.51.100.7, 10.0.0.3");
        assertThat(registry.openFor("10.0.0.3")).isEqualTo(1);
        api.client().get().uri("/api/realtime/stream")
                .header("Authorization", "Bearer " + Api.KEY).header("X-Forwarded-For", "10.0.0.4")
                .exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:connection-limit");
        assertThat(registry.open()).isEqualTo(6);
        api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.sse_connections").isEqualTo(6);
    }

    @Test
    void idleStreamsGetAHeartbeatEveryInterval() {
        List<Duration> gaps = stream.stream(null, null)
                .filter(frame -> "heartbeat".equals(frame.comment()))
                .elapsed()
                .skip(1)
                .take(4)
                .map(timed -> Duration.ofMillis(timed.getT1()))
                .collectList().block(TIMEOUT);
        assertThat(gaps).hasSize(4).allSatisfy(gap -> assertThat(gap).isBetween(Duration.ofMillis(120), Duration.ofMillis(600)));
    }

    @Test
    void aResumeOlderThanWhatIsRetainedSaysNotRecoveredAndReplaysWhatIsLeft() {
        List<Long> stored = stream.ingestMessages(6, 1, List.of("conv-old")).block(TIMEOUT).stream().sorted().toList();
        // Once the tailer has published all six, the ring (4 events) no longer reaches back to the first;
        // before, it may still hold the first and rightly replay from memory.
        Awaitility.await().atMost(TIMEOUT).until(() -> hub.cursor() >= stored.getLast());
        // Retention removed the three oldest.
        api.count("with gone as (delete from events where id <= $1 returning 1) select count(*) from gone", stored.get(2));
        List<ServerSentEvent<String>> frames = stream.stream(null, Long.toString(stored.getFirst() - 1))
                .filter(frame -> frame.data() != null).take(4).collectList().block(TIMEOUT);
        assertThat(frames.getFirst().data()).isEqualTo("{\"type\":\"connected\",\"recovered\":false}");
        assertThat(frames.subList(1, 4)).extracting(frame -> Long.parseLong(frame.id()))
                .containsExactlyElementsOf(stored.subList(3, 6));

        // Just below the oldest retained event is complete: nothing was lost.
        List<ServerSentEvent<String>> resumed = stream.stream(null, Long.toString(stored.get(2)))
                .filter(frame -> frame.data() != null).take(4).collectList().block(TIMEOUT);
        assertThat(resumed.getFirst().data()).contains("\"recovered\":true");
        assertThat(resumed.subList(1, 4)).extracting(frame -> Long.parseLong(frame.id()))
                .containsExactlyElementsOf(stored.subList(3, 6));
    }

    @Test
    void aConsumerThatNeverReadsIsCutWhileAFastOneGetsEverything() throws Exception {
        double droppedBefore = meters.counter("agentstream.stream.slow.consumers").count();
        // Well past what the transport holds for a client that never reads before the hub's queue
        // (SSE_MAX_PENDING, 8) fills: the kernel's send buffer (up to 4 MB, ~45 of these) and
        // Reactor Netty's send queue (up to 256 frames).
        int events = 600;
        String content = "x".repeat(95_000);
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = slow.getOutputStream();
            out.write(("GET /api/realtime/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + Api.KEY
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Awaitility.await().atMost(TIMEOUT).until(() -> registry.open() == 1);

            CompletableFuture<List<Long>> fast = stream.events(null, null).take(events)
                    .map(frame -> Long.parseLong(frame.id())).collectList().toFuture();
            Awaitility.await().atMost(TIMEOUT).until(() -> registry.open() == 2);
            List<Long> stored = Flux.range(0, events)
                    .concatMap(i -> stream.ingestMessage("conv-slow", i, content))
                    .collectList().block(Duration.ofSeconds(120));

            assertThat(fast.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join()).containsExactlyElementsOf(stored);
            Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isEqualTo(droppedBefore + 1);
                assertThat(registry.open()).isZero();
            });
            // The server closed the slow connection: reading drains what was buffered, then ends.
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            byte[] buffer = new byte[65536];
            long drained = 0;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                drained += read;
            }
            assertThat(drained).isLessThan((long) events * content.length());
        }
        api.assertHealthy();
    }
}
