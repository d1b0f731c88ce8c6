package io.agentstream.devmode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentstream.support.Api;
import io.agentstream.support.PackagedJar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command on a fresh machine: the packaged jar with nothing configured (no
 * DATABASE_URL, no key), in an empty working directory, as whoever runs the build (root in
 * CI). It starts the embedded PostgreSQL, prints a development key once, ingests with it,
 * keeps the event across a clean restart and across a crash (SIGKILL leaves PostgreSQL
 * running: the next start must take over its data), and a clean stop leaves no process.
 */
class FreshMachineIT {

    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration STOP = Duration.ofSeconds(60);

    private Path directory;

    @AfterEach
    void noServerLeft() {
        if (directory != null) {
            // Whatever happened, leave nothing running on this directory.
            postgresProcesses().forEach(ProcessHandle::destroyForcibly);
            PostgresBinaries.deleteRecursively(directory);
        }
    }

    @Test
    void nothingConfiguredStartsWithTheEmbeddedDatabaseAndKeepsDataAcrossRestartsAndCrashes() throws Exception {
        // An empty directory others may enter (as root, PostgreSQL runs as an unprivileged user).
        directory = Files.createTempDirectory("agentstream-fresh-", PackagedJar.OPEN_DIRECTORY);
        int port = PackagedJar.freePort();
        Map<String, String> environment = Map.of("PORT", Integer.toString(port));
        HttpClient http = HttpClient.newHttpClient();

        long started = System.nanoTime();
        PackagedJar first = PackagedJar.start(directory, environment, directory.resolve("first.log"));
        double firstSeconds = first.awaitHealthy(port, started, START);
        String out = first.output();
        assertThat(out).contains("embedded PostgreSQL \u2014 development mode, not for production")
                .contains("http://localhost:" + port + "/api");
        Matcher printed = Pattern.compile("key:\\s+(ap_dev_[A-Za-z0-9_-]{43})").matcher(out);
        assertThat(printed.find()).as(out).isTrue();
        String key = printed.group(1);
        assertThat(out).containsOnlyOnce(key + "   (shown once");
        Path keyFile = directory.resolve("data/dev-key");
        assertThat(Files.readString(keyFile).strip()).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        if (EmbeddedPostgres.isRoot()) {
            assertThat(Files.getAttribute(directory.resolve("data/postgres"), "unix:uid")).as("owner of the data").isEqualTo(65534);
        }

        HttpResponse<String> ingested = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ingest"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.fixture("bridge-connected.json"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
        assertEventListed(http, port, key);

        assertThat(first.stop(STOP)).isIn(0, 143);
        assertThat(postgresProcesses()).as("processes on the data directory after a clean stop").isEmpty();

        started = System.nanoTime();
        PackagedJar second = PackagedJar.start(directory, environment, directory.resolve("second.log"));
        double secondSeconds = second.awaitHealthy(port, started, START);
        assertThat(second.output()).contains("development mode, not for production").doesNotContain(key)
                .contains("key:       in data/dev-key");
        assertEventListed(http, port, key);

        second.kill();
        assertThat(postgresProcesses()).as("a crash leaves PostgreSQL running").isNotEmpty();
        started = System.nanoTime();
        PackagedJar third = PackagedJar.start(directory, environment, directory.resolve("third.log"));
        double afterCrashSeconds = third.awaitHealthy(port, started, START);
        assertEventListed(http, port, key);
        assertThat(third.stop(STOP)).isIn(0, 143);
        assertThat(postgresProcesses()).as("processes on the data directory after a clean stop").isEmpty();

        System.out.printf("FRESH MACHINE: healthy after %.1f s (first start: unpack, initdb), %.1f s (second start), "
                + "%.1f s (after a crash)%n", firstSeconds, secondSeconds, afterCrashSeconds);
    }

    /**
     * The stored event is listed by the read API. Bounded wait: /api/events lists an event once
     * no earlier transaction can still commit, which may be a moment after its 200.
     */
    private static void assertEventListed(HttpClient http, int port, String key) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events(http, port, key)).contains("\"type\":\"bridge.connected\""));
    }

    private static String events(HttpClient http, int port, String key) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events?after=0"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private List<ProcessHandle> postgresProcesses() {
        String data = directory.resolve("data/postgres").toString();
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("postgres") && line.contains(data)).orElse(false)).toList();
    }
}
