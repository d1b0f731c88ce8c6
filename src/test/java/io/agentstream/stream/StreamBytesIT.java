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
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream's buffers are bounded in bytes as well as in events: with budgets far below what
 * the event counts allow, a client that does not read is cut on bytes, a resume beyond what the
 * ring holds reads PostgreSQL, and pages stop at their byte budget, yet every event arrives.
 */
@IntegrationTest
@TestPropertySource(properties = {
        "agentstream.stream.replay-buffer-bytes=64KB",
        "agentstream.stream.max-pending-bytes=256KB",
        "agentstream.stream.page-bytes=32KB"})
class StreamBytesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long PAGE_BYTES = 32 * 1024;

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

    @BeforeEach
    void client() {
        stream = new StreamClient(port);
    }

    @Test
    void aClientThatDoesNotReadIsCutOnBytesWhileAFastOneGetsEverything() throws Exception {
        double cutBefore = meters.counter("agentstream.stream.slow.consumers").count();
        // 800 events: never SSE_MAX_PENDING (1024) of them, so only the byte budget (256 KB, about a
        // dozen of these) can cut; well past what the transport holds for a client that never reads
        // (the kernel's send buffer, up to 4 MB, and Reactor Netty's send queue, up to 256 frames).
        int events = 800;
        String content = "x".repeat(20_000);
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
                    .flatMap(i -> stream.ingestMessage("conv-bytes-slow", i, content), 4)
                    .collectSortedList().block(Duration.ofSeconds(180));

            assertThat(fast.orTimeout(60, TimeUnit.SECONDS).join()).containsExactlyElementsOf(stored);
            Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isEqualTo(cutBefore + 1);
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
        assertThat(hub.pendingBytes()).isZero();
        api.assertHealthy();
    }

    @Test
    void aResumeBeyondWhatTheRingHoldsInBytesIsGaplessFromPostgreSQL() {
        // 40 events of about 6 KB, in two conversations: the ring's 64 KB hold three or four of them.
        List<Long> stored = Flux.range(0, 40)
                .concatMap(i -> stream.ingestMessage(i % 2 == 0 ? "conv-bytes-a" : "conv-bytes-b", i, "y".repeat(6_000)))
                .collectList().block(Duration.ofSeconds(60));
        Awaitility.await().atMost(TIMEOUT).until(() -> hub.cursor() >= stored.getLast());
        assertThat(meters.get("agentstream.stream.replay.buffer").gauge().value()).isBetween(1.0, 64.0 * 1024);
        // The ring, well within its 10,000 events, no longer reaches back to the first by bytes.
        StreamHub.Subscription probe = hub.subscribe(EventFilter.ALL, stored.getFirst() - 1);
        probe.cancel().run();
        assertThat(probe.ringCovers()).isFalse();

        List<ServerSentEvent<String>> all = stream.stream(null, Long.toString(stored.getFirst() - 1))
                .filter(frame -> frame.data() != null).take(1 + stored.size()).collectList().block(TIMEOUT);
        assertThat(all.getFirst().data()).isEqualTo("{\"type\":\"connected\",\"recovered\":true}");
        assertThat(all.subList(1, all.size())).extracting(frame -> Long.parseLong(frame.id())).containsExactlyElementsOf(stored);

        List<Long> inA = new ArrayList<>();
        for (int i = 0; i < stored.size(); i += 2) {
            inA.add(stored.get(i));
        }
        CompletableFuture<List<Long>> resumedA = stream.events("conversation_id=conv-bytes-a", Long.toString(stored.getFirst()))
                .map(frame -> Long.parseLong(frame.id())).take(inA.size()).collectList().toFuture();
        // The replay is followed by live events with nothing between them.
        long next = stream.ingestMessage("conv-bytes-a", 40, "live").block(TIMEOUT);
        List<Long> expected = new ArrayList<>(inA.subList(1, inA.size()));
        expected.add(next);
        assertThat(resumedA.orTimeout(10, TimeUnit.SECONDS).join()).containsExactlyElementsOf(expected);
    }

    @Test
    void eventsPagesStopAtTheByteBudgetYetDeliverEverything() {
        // Small, middling and larger-than-the-budget events: a page is never empty, never much over its budget.
        int[] sizes = {200, 5_000, 40_000, 200, 200, 12_000, 900, 33_000, 100};
        List<Long> stored = new ArrayList<>();
        for (int i = 0; i < 27; i++) {
            stored.add(stream.ingestMessage("conv-bytes-pages", i, "z".repeat(sizes[i % sizes.length])).block(TIMEOUT));
        }
        Awaitility.await().atMost(TIMEOUT).until(() -> hub.cursor() >= stored.getLast());

        List<Long> read = new ArrayList<>();
        int pages = 0;
        long after = stored.getFirst() - 1;
        boolean more = true;
        while (more) {
            JsonNode page = page("/api/events?limit=1000&after=" + after);
            pages++;
            List<JsonNode> events = new ArrayList<>();
            page.get("events").forEach(events::add);
            assertThat(events).isNotEmpty();
            long beforeLast = 0;
            for (int i = 0; i < events.size() - 1; i++) {
                beforeLast += events.get(i).get("data").toString().getBytes(StandardCharsets.UTF_8).length;
            }
            // The budget counts data as PostgreSQL renders it; the client's rendering of it is about as long.
            assertThat(beforeLast).isLessThan(PAGE_BYTES + 1024);
            events.forEach(event -> read.add(event.get("event_id").asLong()));
            more = page.get("has_more").asBoolean();
            after = page.get("next_after").asLong();
            assertThat(pages).isLessThan(100);
        }
        assertThat(read).containsExactlyElementsOf(stored);
        assertThat(pages).isGreaterThanOrEqualTo(5);

        // The same through a filter, and the last page says there is no more.
        List<Long> filtered = new ArrayList<>();
        after = 0;
        do {
            JsonNode page = page("/api/events?conversation_id=conv-bytes-pages&types=message.created&after=" + after);
            page.get("events").forEach(event -> filtered.add(event.get("event_id").asLong()));
            more = page.get("has_more").asBoolean();
            after = page.get("next_after").asLong();
        } while (more);
        assertThat(filtered).containsExactlyElementsOf(stored);
        assertThat(after).isGreaterThanOrEqualTo(stored.getLast());
    }

    private JsonNode page(String uri) {
        byte[] body = api.client().get().uri(uri).header("Authorization", "Bearer " + Api.KEY)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }
}
