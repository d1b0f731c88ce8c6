package io.agentstream.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Gatling smoke simulation (load-test/, SmokeSimulation) against this build's own instance,
 * so the load tests cannot rot. Gatling runs in a Maven process of its own: its Netty and
 * Jackson never meet the service's classpath.
 */
@IntegrationTest
class GatlingSmokeIT {

    private static final Duration LIMIT = Duration.ofMinutes(6);
    private static final Path LOG = Path.of("target/gatling-smoke.log");
    private static final Path REPORTS = Path.of("load-test/target/gatling");

    // SmokeSimulation's sizes: 3 CLIs with 3 rounds of 3 messages (one retried each), 3 streams, one upload.
    private static final int AGENTS = 3;
    private static final int MESSAGES_PER_AGENT = 9;
    private static final int STREAMS = 3;
    private static final int UPLOAD_MESSAGES = 1000;

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Test
    void theSmokeSimulationPassesAndWhatItSentIsStored() throws Exception {
        String runId = "smoke" + UUID.randomUUID().toString().substring(0, 8);
        Instant started = Instant.now();

        int exit = runSmokeSimulation(runId);

        String output = Files.readString(LOG);
        assertThat(exit).as("Gatling's exit code; output in %s:%n%s", LOG, tail(output)).isZero();
        assertThat(newReport(started)).as("an HTML report under %s from this run", REPORTS).isPresent();

        // A run that made no request would pass every assertion over failures: count what was made.
        Map<String, long[]> requests = requestTable(output);
        assertThat(requests).as("Gatling's request table in %s", LOG)
                .containsKeys("Global", "message.created", "message.created (retry)",
                        "stream: message.created received", "session upload");
        assertThat(requests.get("Global")[0]).as("requests made").isPositive();
        assertThat(requests.get("Global")[2]).as("requests failed").isZero();
        assertThat(requests.get("message.created")[1]).isGreaterThanOrEqualTo(AGENTS * MESSAGES_PER_AGENT);
        assertThat(requests.get("message.created (retry)")[1]).isEqualTo(AGENTS);
        assertThat(requests.get("stream: message.created received")[1]).isGreaterThanOrEqualTo(STREAMS);
        assertThat(requests.get("session upload")[1]).isEqualTo(1);

        // And what the API says was stored: retries did not count twice, the upload is whole.
        List<JsonNode> conversations = conversations("load-" + runId + "-");
        List<JsonNode> cli = conversations.stream().filter(c -> c.get("id").asString().contains("-cli-")).toList();
        assertThat(cli).hasSize(AGENTS).allSatisfy(c -> {
            assertThat(c.get("status").asString()).isEqualTo("COMPLETED");
            assertThat(c.get("totals").get("messages").asLong()).isEqualTo(MESSAGES_PER_AGENT);
            assertThat(c.get("reported").get("messages").asLong()).isEqualTo(MESSAGES_PER_AGENT);
        });
        List<JsonNode> uploads = conversations.stream().filter(c -> c.get("id").asString().contains("-upload-")).toList();
        assertThat(uploads).singleElement().satisfies(c -> {
            assertThat(c.get("source").asString()).isEqualTo("cli-upload");
            assertThat(c.get("totals").get("messages").asLong()).isEqualTo(UPLOAD_MESSAGES);
        });
        List<JsonNode> live = conversations.stream().filter(c -> c.get("id").asString().contains("-live-")).toList();
        assertThat(live).singleElement().satisfies(c -> {
            assertThat(c.get("status").asString()).isEqualTo("COMPLETED");
            assertThat(c.get("totals").get("messages").asLong()).isPositive()
                    .isEqualTo(c.get("reported").get("messages").asLong());
        });
    }

    private int runSmokeSimulation(String runId) throws IOException, InterruptedException {
        boolean windows = System.getProperty("os.name").startsWith("Windows");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(windows ? "mvnw.cmd" : "mvnw").toAbsolutePath().toString(),
                "-f", "load-test/pom.xml", "-B", "--no-transfer-progress", "gatling:test",
                "-Dgatling.simulationClass=io.agentstream.load.SmokeSimulation",
                "-DbaseUrl=http://127.0.0.1:" + port,
                "-DrunId=" + runId)
                .redirectErrorStream(true)
                .redirectOutput(LOG.toFile());
        // The JDK running this test builds and runs the simulations too: no other JDK is needed.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // In the environment rather than on the command line, where process listings show it.
        builder.environment().put("AGENTSTREAM_API_KEY", Api.KEY);
        Process maven = builder.start();
        try {
            if (!maven.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("The smoke simulation did not finish within %s; output so far in %s:%n%s",
                        LIMIT, LOG, tail(Files.readString(LOG)));
            }
            return maven.exitValue();
        } finally {
            // Maven forks Gatling: end the whole tree, or a hung run outlives the build.
            maven.descendants().forEach(ProcessHandle::destroyForcibly);
            maven.destroyForcibly();
        }
    }

    private static Optional<Path> newReport(Instant since) throws IOException {
        if (!Files.isDirectory(REPORTS)) {
            return Optional.empty();
        }
        try (Stream<Path> runs = Files.list(REPORTS)) {
            return runs.filter(run -> run.getFileName().toString().startsWith("smokesimulation-"))
                    .map(run -> run.resolve("index.html"))
                    .filter(index -> {
                        try {
                            return Files.isRegularFile(index) && Files.getLastModifiedTime(index).toInstant().isAfter(since);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    /**
     * The last request table Gatling printed: name to {total, OK, KO}. Lines look like
     * {@code > message.created    |   67 |   67 |    0}.
     */
    private static Map<String, long[]> requestTable(String output) {
        int table = output.lastIndexOf("---- Requests ---");
        Map<String, long[]> rows = new HashMap<>();
        if (table < 0) {
            return rows;
        }
        Matcher row = Pattern.compile("(?m)^> (.+?)\\s+\\|\\s+([\\d,]+) \\|\\s+([\\d,]+) \\|\\s+([\\d,]+)\\s*$")
                .matcher(output.substring(table));
        while (row.find()) {
            rows.putIfAbsent(row.group(1).trim(), new long[] {number(row.group(2)), number(row.group(3)), number(row.group(4))});
        }
        return rows;
    }

    private static long number(String figure) {
        return Long.parseLong(figure.replace(",", ""));
    }

    private List<JsonNode> conversations(String idPrefix) {
        byte[] body = api.client().get().uri("/api/conversations?limit=100")
                .header("Authorization", "Bearer " + Api.KEY)
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body).get("items").valueStream()
                .filter(c -> c.get("id").asString().startsWith(idPrefix))
                .toList();
    }

    private static String tail(String output) {
        return output.length() <= 8000 ? output : "..." + output.substring(output.length() - 8000);
    }
}
