package io.agentstream.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container's start-up without a container engine: the packaged jar, started with the
 * Dockerfile's own JAVA_TOOL_OPTIONS and ENTRYPOINT (read from the Dockerfile, so they
 * cannot drift), becomes healthy, serves, logs JSON (LOG_FORMAT=json: one object per line,
 * request ids, no keys, no content), and stops cleanly on SIGTERM.
 */
@IntegrationTest
class ImageStartupIT {

    @Autowired
    PostgresUnderTest postgres;

    @Test
    void theImagesEntrypointStartsHealthyAndStopsOnSigterm() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String toolOptions = match(dockerfile, "JAVA_TOOL_OPTIONS=\"([^\"]+)\"");
        List<String> entrypoint = JsonMapper.shared().readTree(match(dockerfile, "(?m)^ENTRYPOINT (\\[.*])$"))
                .valueStream().map(JsonNode::asString).toList();
        List<String> command = new ArrayList<>();
        for (String part : entrypoint) {
            command.add(switch (part) {
                case "java" -> ProcessHandle.current().info().command().orElse("java");
                case "/app/agentstream.jar" -> Path.of("target/agentstream.jar").toAbsolutePath().toString();
                default -> part;
            });
        }
        assertThat(Path.of("target/agentstream.jar")).exists();
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/image-startup.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("JAVA_TOOL_OPTIONS", toolOptions);
        env.put("PORT", Integer.toString(port));
        env.put("DATABASE_URL", "postgresql://" + postgres.url().user() + "@" + postgres.url().host() + ":"
                + postgres.url().port() + "/" + postgres.url().database());
        env.put("AGENTPIPE_BRIDGE_API_KEY", Api.KEY);
        env.put("LOG_FORMAT", "json");
        env.put("LOGGING_LEVEL_IO_AGENTSTREAM", "DEBUG");
        long started = System.nanoTime();
        Process app = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI health = URI.create("http://127.0.0.1:" + port + "/api/health");
            String[] body = new String[1];
            // Generous: on a loaded 2-core machine a JVM start took over 60 s; the start-up target is load-test/bench.sh's.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!app.isAlive()) {
                            return true;
                        }
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(health)
                                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                            body[0] = response.statusCode() == 200 ? response.body() : null;
                        } catch (IOException notYet) {
                            body[0] = null;
                        }
                        return body[0] != null;
                    });
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(body[0]).as("healthy within 180 s").isNotNull().contains("\"status\":\"UP\"");
            System.out.printf("IMAGE START-UP: healthy after %.2f s (entrypoint %s)%n", seconds, entrypoint);

            // Traffic whose log lines must carry request ids and never keys or content.
            URI ingest = URI.create("http://127.0.0.1:" + port + "/api/ingest");
            HttpResponse<String> rejected = http.send(HttpRequest.newBuilder(ingest)
                    .header("Authorization", "Bearer " + Api.KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07Z\",\"data\":{\"content\":\"secret plan\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rejected.statusCode()).isEqualTo(400);
            HttpResponse<String> unknownKey = http.send(HttpRequest.newBuilder(ingest)
                    .header("Authorization", "Bearer not-a-valid-key-0000000000").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknownKey.statusCode()).isEqualTo(401);

            app.destroy(); // SIGTERM
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(app.exitValue()).isIn(0, 143);
            List<String> lines = Files.readAllLines(Path.of("target/image-startup.log")).stream()
                    .filter(line -> line.startsWith("{")).toList();
            assertThat(lines).isNotEmpty();
            assertThat(lines).allSatisfy(line -> {
                JsonNode log = JsonMapper.shared().readTree(line);
                assertThat(log.has("@timestamp") && log.has("message")).isTrue();
            });
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("request_id").contains("rejected: 400"));
            assertThat(String.join("\n", Files.readAllLines(Path.of("target/image-startup.log"))))
                    .contains("Started AgentstreamApplication")
                    .doesNotContain(Api.KEY).doesNotContain("not-a-valid-key-0000000000").doesNotContain("secret plan");
        } finally {
            app.destroyForcibly();
        }
    }

    private static String match(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("Dockerfile has " + regex).isTrue();
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
