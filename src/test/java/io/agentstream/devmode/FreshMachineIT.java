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
    /** Where the data went when not under {@link #directory} (root in a private directory). */
    private Path movedData;

    @AfterEach
    void noServerLeft() {
        if (directory != null) {
            // Whatever happened, leave nothing running on this directory.
            postgresProcesses().forEach(ProcessHandle::destroyForcibly);
            PostgresBinaries.deleteRecursively(directory);
            if (movedData != null) {
                PostgresBinaries.deleteRecursively(movedData.getParent());
            }
        }
    }

    @Test
    void nothingConfiguredStartsWithTheEmbeddedDatabaseAndKeepsDataAcrossRestartsAndCrashes() throws Exception {
        // An empty directory others may enter (as root, PostgreSQL runs as an unprivileged user).
        directory = Files.createTempDirectory("agentstream-fresh-", PackagedJar.OPEN_DIRECTORY);
        int port = PackagedJar.freePort();
        String adminKey = "admin-secret-" + java.util.UUID.randomUUID();
        Map<String, String> environment = Map.of("PORT", Integer.toString(port), "ADMIN_API_KEY", adminKey);
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

        String password = Files.readString(directory.resolve("data/postgres-password")).strip();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("data/postgres-password"))))
                .isEqualTo("rw-------");
        assertRefusedWithoutPassword(directory.resolve("data/postgres"));
        assertThat(serverEnvironment(directory.resolve("data/postgres"), password)).as("the embedded server's environment")
                .noneMatch(line -> line.contains(adminKey)).noneMatch(line -> line.startsWith("ADMIN_API_KEY"))
                .anyMatch(line -> line.startsWith("PATH="));

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

    @Test
    void theServiceRunsFromADirectoryOnlyItsUserMayEnterAndKeepsItsDataAcrossRestarts() throws Exception {
        // Created 0700, like root's home: as root, the unprivileged server cannot reach data here.
        directory = Files.createTempDirectory("agentstream-private-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
        Path wanted = directory.resolve("data/postgres");
        int port = PackagedJar.freePort();
        Map<String, String> environment = Map.of("PORT", Integer.toString(port));
        HttpClient http = HttpClient.newHttpClient();

        long started = System.nanoTime();
        PackagedJar first = PackagedJar.start(directory, environment, directory.resolve("first.log"));
        first.awaitHealthy(port, started, START);
        Path data = EmbeddedPostgres.reachableDataDirectory(wanted);
        if (EmbeddedPostgres.isRoot()) {
            movedData = data;
            assertThat(data).as("moved where the server can reach it").startsWith(Path.of("/var/tmp")).isNotEqualTo(wanted);
            assertThat(Files.getAttribute(data, "unix:uid")).as("owner of the data").isEqualTo(65534);
        } else {
            assertThat(data).isEqualTo(wanted);
        }
        // The banner says where the data is (relative to the working directory where it is under it).
        assertThat(first.output()).contains("data in " + (data.startsWith(directory) ? directory.relativize(data) : data));
        String key = Files.readString(directory.resolve("data/dev-key")).strip();
        HttpResponse<String> ingested = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ingest"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.fixture("bridge-connected.json"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
        assertThat(first.stop(STOP)).isIn(0, 143);

        started = System.nanoTime();
        PackagedJar second = PackagedJar.start(directory, environment, directory.resolve("second.log"));
        second.awaitHealthy(port, started, START);
        assertEventListed(http, port, key);
        assertThat(second.stop(STOP)).isIn(0, 143);
        assertThat(postgresProcesses()).as("processes on the data directory after a clean stop").isEmpty();
    }

    @Test
    void binariesSomeoneElseCouldHavePlantedAreRefused() throws Exception {
        directory = Files.createTempDirectory("agentstream-planted-", PackagedJar.OPEN_DIRECTORY);
        // Where this user's copy would be unpacked, made first by "someone else": a directory
        // anyone may write to (and, as root, owned by another user) with a pg_ctl that leaves a mark.
        Path target = PostgresBinaries.target(directory);
        Path marker = directory.resolve("planted-program-ran");
        Files.createDirectories(target.resolve("bin"));
        Files.writeString(target.resolve("bin/pg_ctl"), "#!/bin/sh\ntouch " + marker + "\n");
        Files.setPosixFilePermissions(target.resolve("bin/pg_ctl"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxrwxrwx"));
        if (EmbeddedPostgres.isRoot()) {
            Files.setAttribute(target, "unix:uid", 65534);
        }

        String line = PackagedJar.startupError(directory, "planted", Map.of("PORT", Integer.toString(PackagedJar.freePort()),
                "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + directory));
        assertThat(line).contains("the PostgreSQL binaries at " + target).contains("someone may have planted programs there")
                .contains("remove that directory");
        assertThat(marker).as("the planted program never ran").doesNotExist();
    }

    @Test
    void aDataDirectoryThatTrustedLocalConnectionsRequiresThePasswordFromNowOn() throws Exception {
        directory = Files.createTempDirectory("agentstream-trusting-", PackagedJar.OPEN_DIRECTORY);
        Path data = directory.resolve("data/postgres");
        // As a release before the password made it: trust for every TCP connection from this machine.
        try (EmbeddedPostgres earlier = EmbeddedPostgres.start(data, List.of("fsync=off"))) {
            assertThat(earlier.owned()).isTrue();
        }
        int port = PackagedJar.freePort();
        long started = System.nanoTime();
        PackagedJar upgraded = PackagedJar.start(directory, Map.of("PORT", Integer.toString(port)), directory.resolve("upgraded.log"));
        upgraded.awaitHealthy(port, started, START);
        assertRefusedWithoutPassword(data);
        String password = Files.readString(directory.resolve("data/postgres-password")).strip();
        try (var connection = java.sql.DriverManager.getConnection(serverUrl(data), "postgres", password)) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(upgraded.stop(STOP)).isIn(0, 143);
    }

    private static String serverUrl(Path data) throws Exception {
        int serverPort = Integer.parseInt(Files.readAllLines(data.resolve("postmaster.pid")).get(3).strip());
        return "jdbc:postgresql://127.0.0.1:" + serverPort + "/postgres";
    }

    /** Another local user, who has no password, cannot connect: not even as the superuser. */
    private static void assertRefusedWithoutPassword(Path data) throws Exception {
        String url = serverUrl(data);
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                () -> java.sql.DriverManager.getConnection(url, "postgres", "").close());
        assertThat(refused).as("a connection without the password").isInstanceOf(java.sql.SQLException.class);
        assertThat(((java.sql.SQLException) refused).getSQLState()).as(refused.getMessage()).isIn("28P01", "08004");
    }

    /**
     * What the server's processes were started with, as a database superuser can read it
     * (COPY FROM PROGRAM), over the port its postmaster.pid names.
     */
    private static List<String> serverEnvironment(Path data, String password) throws Exception {
        try (var connection = java.sql.DriverManager.getConnection(serverUrl(data), "postgres", password);
             var statement = connection.createStatement()) {
            statement.execute("create temp table environment (line text)");
            // CSV with separators env never writes: values may hold tabs and backslashes.
            statement.execute("copy environment from program 'env' with (format csv, delimiter E'\\x1f', quote E'\\x1e')");
            List<String> lines = new java.util.ArrayList<>();
            try (var rows = statement.executeQuery("select line from environment")) {
                while (rows.next()) {
                    lines.add(rows.getString(1));
                }
            }
            return lines;
        }
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
        String data = (movedData != null ? movedData : directory.resolve("data/postgres")).toString();
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("postgres") && line.contains(data)).orElse(false)).toList();
    }
}
