package io.agentstream.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams end on purpose (lifetime, shutdown) with a reconnect hint, and real clients
 * resume from there without losing anything.
 */
@IntegrationTest
@TestPropertySource(properties = {
        "agentstream.stream.max-lifetime=1000",
        "agentstream.stream.reconnect-delay=400"})
class StreamLifetimeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    @LocalServerPort
    int port;

    @Test
    void aStreamEndsAfterItsJitteredLifetimeWithAReconnectHint() {
        List<ServerSentEvent<String>> frames = new StreamClient(port).stream(null, null)
                .elapsed()
                .map(timed -> {
                    if ("reconnect".equals(timed.getT2().comment())) {
                        assertThat(timed.getT1()).isBetween(700L, 1500L);
                    }
                    return timed.getT2();
                })
                .collectList().block(TIMEOUT);
        ServerSentEvent<String> last = frames.getLast();
        assertThat(last.comment()).isEqualTo("reconnect");
        assertThat(last.retry()).isBetween(Duration.ofMillis(320), Duration.ofMillis(480));
    }

    @Test
    void aRealEventSourceReconnectsByItselfAndLosesNothing() throws Exception {
        Path client = installEventSourceClient();
        StreamClient stream = new StreamClient(port);
        Process node = new ProcessBuilder("node", "client.mjs", "http://127.0.0.1:" + port + "/api/realtime/stream",
                Api.KEY, "150", "30000")
                .directory(client.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture.runAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                out.lines().forEach(lines::add);
            } catch (IOException e) {
                lines.add("io-error " + e);
            }
        });
        try {
            awaitLine(lines, "open 1");
            List<Long> stored = new java.util.ArrayList<>(stream.ingestMessages(50, 4, List.of("es-a")).block(TIMEOUT));
            // The server ends the stream after its lifetime; events ingested before the client is back are replayed.
            awaitLine(lines, "error 1");
            stored.addAll(stream.ingestMessages(50, 4, List.of("es-a")).block(TIMEOUT));
            awaitLine(lines, "open 2");
            stored.addAll(stream.ingestMessages(50, 4, List.of("es-a")).block(TIMEOUT));
            String result = awaitLine(lines, "{");
            assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(node.exitValue()).isZero();

            JsonNode report = JsonMapper.shared().readTree(result);
            List<Long> received = report.get("received").valueStream().map(JsonNode::asLong).toList();
            assertThat(received).isSorted().doesNotHaveDuplicates();
            assertThat(received).containsExactlyElementsOf(stored.stream().sorted().toList());
            assertThat(report.get("opens").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(report.get("connected").valueStream().map(JsonNode::asBoolean).toList()).containsOnly(true);
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void shutdownEndsOpenStreamsWithAReconnectHintAndDoesNotWaitForThem() {
        ConfigurableApplicationContext instance = Instances.start(postgres.url(), Map.of(
                "agentstream.stream.max-lifetime", "30m",
                "spring.lifecycle.timeout-per-shutdown-phase", "20s"));
        StreamClient stream = new StreamClient(Instances.port(instance));
        CompletableFuture<List<ServerSentEvent<String>>> frames = stream.stream(null, null).collectList().toFuture();
        org.awaitility.Awaitility.await().atMost(TIMEOUT)
                .until(() -> instance.getBean(StreamHub.class).subscriberCount() == 1);
        long started = System.nanoTime();
        instance.close();
        Duration shutdown = Duration.ofNanos(System.nanoTime() - started);
        List<ServerSentEvent<String>> received = frames.orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(received.getLast().comment()).isEqualTo("reconnect");
        assertThat(received.getLast().retry()).isNotNull();
        assertThat(shutdown).isLessThan(Duration.ofSeconds(10));
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the EventSource client never printed '" + prefix + "'");
    }

    /** Installs the pinned npm eventsource package beside the client script (once per build). */
    private static Path installEventSourceClient() throws IOException, InterruptedException {
        Path source = Path.of("src/test/node/sse-client");
        Path target = Path.of("target/node/sse-client");
        if (!Files.exists(target.resolve("node_modules/eventsource"))) {
            FileSystemUtils.deleteRecursively(target);
            Files.createDirectories(target);
            for (String file : List.of("package.json", "package-lock.json", "client.mjs")) {
                Files.copy(source.resolve(file), target.resolve(file));
            }
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                    .directory(target.toFile()).inheritIO().start();
            assertThat(npm.waitFor(120, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
            assertThat(npm.exitValue()).as("npm ci exit code (node and npm must be installed)").isZero();
        } else {
            Files.copy(source.resolve("client.mjs"), target.resolve("client.mjs"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }
}
