package io.agentstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.PackagedJar;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;

/**
 * The hostile-resource table: what one client with an ordinary ingest key can send, tried
 * against the packaged jar with the image's JVM settings (the Dockerfile's JAVA_TOOL_OPTIONS,
 * {@code -XX:+ExitOnOutOfMemoryError} among them, so running out of memory ends the process).
 * For every row: the process stays up, refusals are 4xx or 503 problems, every acknowledged
 * event is stored once, health is UP afterwards, and the heap after a full GC returns to its
 * baseline (plus what the replay ring may keep by design).
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileResourcesIT {

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;
    private static final String KEY = Api.KEY;
    /** What the heap may keep after a row beyond the baseline: the replay ring's byte bound, and some slack. */
    private static final long HEAP_ALLOWANCE = 64L << 20;

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    private PackagedJar jar;
    private int port;
    private WebClient web;
    private long baselineHeap;

    @BeforeAll
    void startTheJarAsTheImageRunsIt() throws Exception {
        port = PackagedJar.freePort();
        Path work = Files.createTempDirectory("hostile", PackagedJar.OPEN_DIRECTORY);
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "PORT", Integer.toString(port),
                "DATABASE_URL", "postgresql://" + postgres.url().user() + "@" + postgres.url().host() + ":"
                        + postgres.url().port() + "/" + postgres.url().database(),
                "AGENTPIPE_BRIDGE_API_KEY", KEY,
                "JAVA_TOOL_OPTIONS", imageJvmOptions(),
                "RATE_LIMIT_ENABLED", "false",
                // One client opens the 10,000 streams of the streams row, from one address.
                "SSE_MAX_CONNECTIONS_PER_IP", "20000",
                "SSE_MAX_CONNECTS_PER_SECOND", "5000"));
        long started = System.nanoTime();
        jar = PackagedJar.start(work, environment, work.resolve("service.log"));
        jar.awaitHealthy(port, started, Duration.ofSeconds(300));
        ConnectionProvider connections = ConnectionProvider.builder("hostile").maxConnections(1_000)
                .pendingAcquireMaxCount(-1).build();
        web = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(1 << 20)).build();
        // Warm: one event through every path the rows use, then the baseline.
        post("/api/ingest", MediaType.APPLICATION_JSON, Api.fixture("message-created.json")).block(Duration.ofSeconds(30));
        baselineHeap = heapAfterFullGc();
    }

    /** The JVM options the image runs with, from the Dockerfile itself. */
    static String imageJvmOptions() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher options = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(options.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
        assertThat(options.group(1)).contains("-XX:+ExitOnOutOfMemoryError").contains("-Xmx576m");
        return options.group(1);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (jar != null) {
            jar.stop(Duration.ofSeconds(60));
        }
    }

    @AfterEach
    void theInstanceIsUpHealthyAndBackToItsBaseline() throws Exception {
        assertThat(ProcessHandle.of(jar.pid()).map(ProcessHandle::isAlive)).as("the process is up:\n%s", tail())
                .contains(true);
        String health = web.get().uri("/api/health").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30));
        assertThat(health).contains("\"status\":\"UP\"");
        // Returns: the instance may still be reading what the row stored (one large event per page)
        // when the row ends, so the heap is measured until it is back, for at most two minutes.
        long[] heap = {Long.MAX_VALUE};
        long bound = baselineHeap + HEAP_ALLOWANCE;
        long since = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .until(() -> (heap[0] = heapAfterFullGc()) <= bound);
        System.out.printf("hostile row done: heap after full GC %d MB (baseline %d MB), back within %d s%n",
                heap[0] >> 20, baselineHeap >> 20, (System.nanoTime() - since) / 1_000_000_000L);
    }

    @Test
    @Order(1)
    void anEventLogUploadOf20MillionTinyLinesIsRefusedAtTheEventLimit() {
        Response response = post("/api/sessions/upload", MediaType.APPLICATION_NDJSON, lines("0\n", 20_000_000, 64 * 1024))
                .block(Duration.ofSeconds(120));
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).contains("urn:problem:agentstream:too-many-events");
    }

    @Test
    @Order(2)
    void anIngestOf20MillionTinyLinesIsRefusedAtTheBodyLimit() {
        Response response = post("/api/ingest", MediaType.APPLICATION_NDJSON, lines("0\n", 20_000_000, 64 * 1024))
                .block(Duration.ofSeconds(120));
        // Whichever limit it passes first: the batch's 1,000 events, at 2 KB, before the body's 1 MiB.
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).containsAnyOf("urn:problem:agentstream:batch-too-large", "urn:problem:agentstream:body-too-large");
    }

    @Test
    @Order(4)
    void anIngestOf500000LinesIsRefusedAtTheBatchLimit() {
        Response response = post("/api/ingest", MediaType.APPLICATION_NDJSON, "{\n".repeat(500_000)).block(Duration.ofSeconds(60));
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).contains("urn:problem:agentstream:batch-too-large");
    }

    @Test
    @Order(5)
    void eightHundredEventsOfNearlyAMegabyteAtOnceAreStoredOnceOrRefusedWith503() {
        String pad = "p".repeat(900_000);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Flux.range(0, 800)
                .flatMap(i -> post("/api/ingest", MediaType.APPLICATION_JSON, Api.fixture("log-entry.json").strip()
                        .replace("\"Turn 1 complete\"", "\"big-" + i + "\"")
                        .replace("\"metadata\":{", "\"metadata\":{\"pad\":\"" + pad + "\","))
                        .doOnNext(response -> {
                            statuses.put(i, response.status());
                            if (response.status() >= 300) {
                                assertThat(response.status()).as(response.body()).isEqualTo(503);
                                assertThat(response.body()).contains("urn:problem:agentstream:");
                            }
                        }), 800)
                .blockLast(Duration.ofSeconds(300));
        Set<Integer> acknowledged = statuses.entrySet().stream().filter(e -> e.getValue() == 200).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        System.out.printf("800 events of 0.9 MB at once: %d stored, %d refused with 503%n", acknowledged.size(),
                800 - acknowledged.size());
        assertThat(acknowledged).isNotEmpty();
        Map<String, Long> stored = api.rows("select payload -> 'data' ->> 'content' as content, count(*) as n from events "
                        + "where payload -> 'data' ->> 'content' like 'big-%' group by 1").stream()
                .collect(Collectors.toMap(row -> (String) row.get("content"), row -> ((Number) row.get("n")).longValue()));
        acknowledged.forEach(i -> assertThat(stored.get("big-" + i)).as("big-%d stored once", i).isEqualTo(1L));
        assertThat(stored.values()).allMatch(count -> count == 1L);
    }

    @Test
    @Order(6)
    void eightUploadsOf50MegabytesAtOnceRunAtMostAsConfiguredAndTheRestAre503() {
        String message = "{\"agent_type\":\"claude\",\"agent_name\":\"A\",\"content\":\"" + "m".repeat(99_000)
                + "\",\"timestamp\":\"2026-11-01T10:01:00Z\",\"sequence_number\":%d}";
        String messages = IntStream.range(0, 500).mapToObj(message::formatted).collect(Collectors.joining(","));
        List<Response> responses = Flux.range(0, 8)
                .flatMap(i -> post("/api/sessions/upload", MediaType.APPLICATION_JSON,
                        "{\"conversation\":{\"id\":\"hostile-upload-" + i + "\",\"name\":\"n\",\"mode\":\"round-robin\","
                                + "\"started_at\":\"2026-11-01T10:00:00Z\",\"status\":\"COMPLETED\"},\"agents\":[],\"messages\":["
                                + messages + "]}"), 8)
                .collectList().block(Duration.ofSeconds(300));
        long created = responses.stream().filter(r -> r.status() == 201).count();
        System.out.printf("8 uploads of 49.5 MB at once: %d created, %d refused with 503%n", created, 8 - created);
        assertThat(responses).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(201, 503));
        assertThat(created).isPositive();
        assertThat(api.count("select count(*) from messages where conversation_id like 'hostile-upload-%'")).isEqualTo(500 * created);
    }

    @Test
    @Order(7)
    void aResumeFromTheEarliestEventOverAGigabyteOfStoredEventsIsDeliveredWhole() {
        long before = api.count("select coalesce(max(id), 0) from events");
        // 1,150 events of about 0.93 MB each, written as PostgreSQL's own writer would (offsets, transaction ids).
        for (int from = 1; from <= 1150; from += 50) {
            api.count("""
                    with inserted as (
                      insert into events (type, conversation_id, occurred_at, dedup_key, source, payload)
                      select 'log.entry', null, now(), 'hostile-gb-' || g, 'cli-stream',
                             jsonb_build_object('type', 'log.entry', 'timestamp', '2026-11-20T10:15:08Z',
                                                'data', jsonb_build_object('conversation_id', 'hostile-gb', 'level', 'info',
                                                                           'content', 'gb-' || g,
                                                                           'metadata', jsonb_build_object('pad', repeat(md5(g::text), 29000))))
                      from generate_series($1::int, $1::int + 49) g returning 1)
                    select count(*) from inserted""", from);
        }
        long last = api.count("select max(id) from events");
        long total = api.count("select count(*) from events");
        // A client as EventSource is: when the stream is closed (a slow consumer while the reader
        // catches up with the gigabyte), it reconnects with the last id it saw.
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastSeen = new AtomicLong(-1);
        AtomicInteger connections = new AtomicInteger();
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        StreamClient client = new StreamClient(port);
        Flux.defer(() -> {
                    connections.incrementAndGet();
                    return lastSeen.get() < 0 ? client.stream("last_event_id=earliest", null)
                            : client.stream(null, Long.toString(lastSeen.get()));
                })
                .filter(event -> event.id() != null)
                .doOnNext(event -> {
                    long id = Long.parseLong(event.id());
                    assertThat(seen.add(id)).as("event %d delivered once", id).isTrue();
                    assertThat(id).as("in order").isGreaterThan(lastSeen.get());
                    lastSeen.set(id);
                    delivered.incrementAndGet();
                })
                .takeUntil(event -> Long.parseLong(event.id()) >= last)
                .retryWhen(Retry.max(20).filter(error -> !(error instanceof AssertionError)))
                .blockLast(Duration.ofSeconds(600));
        System.out.printf("resume from the earliest: %d connections%n", connections.get());
        System.out.printf("resume from the earliest over %d stored events (after %d): %d delivered%n", total, before, delivered.get());
        assertThat(delivered.get()).isEqualTo(total);
    }

    @Test
    @Order(3)
    void tenThousandOpenStreamsDuringAnIngestBurst() {
        int streams = 10_000;
        ConnectionProvider connections = ConnectionProvider.builder("streams").maxConnections(streams + 100)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(connections).baseUrl("http://127.0.0.1:" + port)
                .headers(headers -> headers.set("Authorization", "Bearer " + KEY).set("Accept", "text/event-stream"));
        AtomicInteger refused = new AtomicInteger();
        List<AtomicLong> received = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger closedByServer = new AtomicInteger();
        List<Disposable> subscriptions = Collections.synchronizedList(new ArrayList<>());
        long start = api.count("select coalesce(max(id), 0) from events");
        try {
            // A refused stream (503 with Retry-After while the instance is busy) tries again, as EventSource does.
            Flux.range(0, streams).flatMap(i -> Mono.<Void>create(opened -> subscriptions.add(client.get()
                    .uri("/api/realtime/stream?last_event_id=" + start)
                    .response((response, body) -> {
                        if (response.status().code() != 200) {
                            refused.incrementAndGet();
                            assertThat(response.status().code()).isIn(429, 503);
                            opened.error(new IllegalStateException("refused: " + response.status().code()));
                            return body.then();
                        }
                        AtomicLong frames = new AtomicLong();
                        received.add(frames);
                        opened.success();
                        String[] carried = {""};
                        return body.doOnNext(bytes -> {
                                    // "\nid:" may be cut between two reads: the end of one is kept for the next.
                                    String text = carried[0] + bytes.toString(StandardCharsets.UTF_8);
                                    frames.addAndGet(count(text, "\nid:"));
                                    carried[0] = text.substring(Math.max(0, text.length() - 3));
                                }).then()
                                .doOnTerminate(closedByServer::incrementAndGet);
                    })
                    .subscribe(null, opened::error)))
                    .retryWhen(Retry.backoff(10, Duration.ofSeconds(1))), 200)
                    .blockLast(Duration.ofSeconds(300));
            System.out.printf("%d streams open, %d refusals (503, retried)%n", received.size(), refused.get());
            assertThat(received.size()).isEqualTo(streams);

            String template = "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":"
                    + "{\"conversation_id\":\"burst\",\"message_id\":\"burst-%d\",\"agent_type\":\"claude\",\"content\":\"%s\"}}";
            String content = "c".repeat(500);
            // 200 events in four batches at once: 2,000,000 deliveries of 600 bytes.
            List<Response> burst = Flux.range(0, 4)
                    .flatMap(batch -> post("/api/ingest", MediaType.APPLICATION_NDJSON, IntStream.range(batch * 50, batch * 50 + 50)
                            .mapToObj(i -> template.formatted(i, content)).collect(Collectors.joining("\n"))), 4)
                    .collectList().block(Duration.ofSeconds(120));
            assertThat(burst).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(200, 503));
            long accepted = burst.stream().filter(r -> r.status() == 200).count() * 50;
            assertThat(api.count("select count(*) from messages where conversation_id = 'burst'")).isEqualTo(accepted);
            // Every stream receives the whole burst, or is closed as a slow consumer (its client resumes).
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> received.stream().filter(frames -> frames.get() >= accepted).count() + closedByServer.get() >= streams);
            long whole = received.stream().filter(frames -> frames.get() >= accepted).count();
            System.out.printf("burst of %d events: %d of %d streams received all of it, %d closed by the server%n",
                    accepted, whole, streams, closedByServer.get());
        } finally {
            subscriptions.forEach(Disposable::dispose);
            connections.disposeLater().block(Duration.ofSeconds(30));
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> activeStreams() == 0);
        }
    }

    @Test
    @Order(8)
    void outOfRangeNumbersInEveryNumericFieldAre400s() {
        String message = Api.fixture("message-created.json").strip();
        String completed = Api.fixture("conversation-completed.json").strip();
        List<String> bodies = List.of(
                message.replace("\"cost\":0.00213", "\"cost\":1e-20000"),
                message.replace("\"data\":{", "\"data\":{\"n\":1e200000,"),
                Api.fixture("log-entry.json").strip().replace("\"total_tokens\":412", "\"total_tokens\":1e200000"),
                completed.replace("\"total_cost\":0.00251", "\"total_cost\":1e-20000"),
                completed.replace("\"duration_seconds\":100.3", "\"duration_seconds\":1e-20000"),
                completed.replace("\"cost\":0.00004", "\"cost\":1e-20000"));
        long events = api.count("select count(*) from events");
        for (String body : bodies) {
            Response response = post("/api/ingest", MediaType.APPLICATION_JSON, body).block(Duration.ofSeconds(30));
            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.body()).contains("urn:problem:agentstream:invalid-event");
        }
        assertThat(api.count("select count(*) from events")).isEqualTo(events);
    }

    record Response(int status, String body) {
    }

    private Mono<Response> post(String path, MediaType type, Object body) {
        WebClient.RequestBodySpec request = web.post().uri(path).header("Authorization", "Bearer " + KEY).contentType(type);
        WebClient.RequestHeadersSpec<?> withBody = body instanceof Flux<?> flux
                ? request.body(flux, DataBuffer.class) : request.bodyValue(body);
        return withBody.exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(text -> new Response(response.statusCode().value(), text)))
                .onErrorResume(error -> Mono.just(new Response(-1, error.toString())));
    }

    /** {@code line} repeated {@code times}, made as it is sent, in buffers of about {@code chunk} bytes. */
    private static Flux<DataBuffer> lines(String line, long times, int chunk) {
        byte[] block = line.repeat(Math.max(1, chunk / line.length())).getBytes(StandardCharsets.UTF_8);
        long perBlock = chunk / line.length();
        return Flux.range(0, (int) (times / perBlock)).map(i -> BUFFERS.wrap(block.clone()));
    }

    private static int count(String text, String pattern) {
        int found = 0;
        for (int at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) {
            found++;
        }
        return found;
    }

    /** Open streams by the instance's health; -1 while it is too busy to answer. */
    private long activeStreams() {
        String health;
        try {
            health = web.get().uri("/api/health").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30));
        } catch (RuntimeException busy) {
            return -1;
        }
        Matcher active = Pattern.compile("\"sse_connections\":(\\d+)").matcher(health);
        return active.find() ? Long.parseLong(active.group(1)) : 0;
    }

    private long heapAfterFullGc() throws IOException, InterruptedException {
        String jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd").toString();
        run(jcmd, Long.toString(jar.pid()), "GC.run");
        String info = run(jcmd, Long.toString(jar.pid()), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        assertThat(used.find()).as(info).isTrue();
        return Long.parseLong(used.group(1)) * 1024;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    private String tail() {
        String output = jar.output();
        return output.substring(Math.max(0, output.length() - 4_000));
    }
}
