package io.agentstream.ops;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.agentstream.config.DatabaseUrl;
import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * RUNBOOK's logical backup, done with PostgreSQL's own tools: {@code pg_dump -Fc} of a store
 * in use, {@code pg_restore} into a fresh database, and a new instance on it. What was stored
 * is all there, streams resume from the last offset, and ingest goes on without a duplicate.
 * The figures it prints are RUNBOOK's RTO for this size. Skipped only where pg_dump is not
 * installed and CI is not true (.ci/run installs PostgreSQL's programs).
 */
@IntegrationTest
class BackupRestoreIT {

    private static final int MESSAGES = 2_000;

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    @LocalServerPort
    int port;

    @TempDir
    Path work;

    @Test
    void aDumpRestoredIntoAFreshDatabaseServesEverythingAndIngestGoesOn() throws Exception {
        String pgDump = program("pg_dump");
        String pgRestore = program("pg_restore");
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        JsonNode original = JsonMapper.shared().readTree(api.ingest(fixture("message-created.json")).expectStatus().isCreated()
                .expectBody().returnResult().getResponseBody());
        new StreamClient(port).ingestMessages(MESSAGES, 16, List.of("backup-a", "backup-b", "backup-c"))
                .block(Duration.ofSeconds(120));
        DatabaseUrl source = postgres.url();
        List<String> before = snapshot(source);

        Path dump = work.resolve("agentstream.dump");
        long dumpStarted = System.nanoTime();
        run(pgDump, "-Fc", "--no-owner", "-h", source.host(), "-p", Integer.toString(source.port()), "-U", source.user(),
                "-d", source.database(), "-f", dump.toString());
        double dumpSeconds = seconds(dumpStarted);

        String restoredName = source.database() + "_restored";
        execute(source, "create database " + restoredName);
        DatabaseUrl restored = new DatabaseUrl(source.host(), source.port(), restoredName, source.user(), source.password());
        try {
            long restoreStarted = System.nanoTime();
            run(pgRestore, "--no-owner", "--exit-on-error", "-h", source.host(), "-p", Integer.toString(source.port()),
                    "-U", source.user(), "-d", restoredName, dump.toString());
            double restoreSeconds = seconds(restoreStarted);
            assertThat(snapshot(restored)).as("the restored store").isEqualTo(before);

            long startStarted = System.nanoTime();
            ConfigurableApplicationContext instance = Instances.start(restored, Map.of());
            double startSeconds = seconds(startStarted);
            try {
                int restoredPort = Instances.port(instance);
                long last = Long.parseLong(before.getFirst().substring("last offset ".length()));
                // A dashboard that saw the last event before the backup resumes without a gap.
                ServerSentEvent<String> connected = new StreamClient(restoredPort).stream(null, Long.toString(last))
                        .filter(StreamClient::isConnected).blockFirst(Duration.ofSeconds(20));
                assertThat(connected.data()).contains("\"recovered\":true");

                WebTestClient client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + restoredPort).build();
                // The CLI retrying an event stored before the backup: the same offset, not a second copy.
                client.post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("message-created.json"))
                        .exchange().expectStatus().isCreated()
                        .expectBody().jsonPath("$.duplicate").isEqualTo(true)
                        .jsonPath("$.event_id").isEqualTo(original.get("event_id").asLong());
                JsonNode next = JsonMapper.shared().readTree(client.post().uri("/api/ingest")
                        .header("Authorization", "Bearer " + Api.KEY).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(fixture("log-entry.json")).exchange().expectStatus().is2xxSuccessful()
                        .expectBody().returnResult().getResponseBody());
                assertThat(next.get("event_id").asLong()).as("offsets go on after the restored ones").isGreaterThan(last);
            } finally {
                instance.close();
            }
            System.out.printf("BACKUP: pg_dump of %d events took %.1f s (%d KB); pg_restore %.1f s; an instance on it "
                            + "started in %.1f s: restore to serving %.1f s%n", MESSAGES + 2, dumpSeconds, Files.size(dump) / 1024,
                    restoreSeconds, startSeconds, restoreSeconds + startSeconds);
        } finally {
            execute(source, "drop database if exists " + restoredName + " with (force)");
        }
    }

    /** What must survive, as text: the last offset first, then counts and every conversation's totals. */
    private static List<String> snapshot(DatabaseUrl database) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String query : List.of(
                    "select 'last offset ' || max(id) from events",
                    "select 'events ' || count(*) || ' ' || md5(string_agg(id || type || coalesce(conversation_id, '') || payload::text, ',' order by id)) from events",
                    "select 'messages ' || count(*) || ' ' || md5(string_agg(conversation_id || message_id || content || coalesce(event_id, 0), ',' order by id)) from messages",
                    "select 'conversations ' || count(*) || ' ' || md5(string_agg(id || status || message_count || tokens_used || cost, ',' order by id)) from conversations",
                    "select 'next offset ' || (select last_value from event_offsets)")) {
                try (ResultSet row = statement.executeQuery(query)) {
                    row.next();
                    lines.add(row.getString(1));
                }
            }
        }
        return lines;
    }

    private static void execute(DatabaseUrl database, String sql) throws Exception {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection connect(DatabaseUrl database) throws Exception {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password() == null ? "" : database.password());
    }

    private void run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        DatabaseUrl source = postgres.url();
        if (source.password() != null) {
            builder.environment().put("PGPASSWORD", source.password());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** PostgreSQL's client programs: on the PATH, or Debian's versioned directory. */
    private static String program(String name) throws Exception {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        assumeTrue(false, name + " is not installed (the Debian package postgresql-client)");
        return null;
    }
}
