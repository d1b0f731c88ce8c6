package io.agentstream.config;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.agentstream.devmode.EmbeddedPostgres;
import io.agentstream.support.PackagedJar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each start-up failure an operator can cause, with the packaged jar run as a process: one
 * ERROR line naming the variable and the fix, no stack trace (that is DEBUG), a non-zero exit.
 * Against a real PostgreSQL of its own that checks passwords (the embedded one).
 */
class StartupErrorsIT {

    private static final String PASSWORD = "right-password-0123";
    private static final Duration EXIT = Duration.ofSeconds(180);

    private static Path directory;
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        directory = Files.createTempDirectory("agentstream-startup-errors-", PackagedJar.OPEN_DIRECTORY);
        postgres = EmbeddedPostgres.start(directory.resolve("postgres"), List.of("fsync=off"), PASSWORD);
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException ignored) {
            // Left for the system to clean.
        }
    }

    private static String url(String user, String password, int port, String database) {
        return "postgresql://" + user + (password == null ? "" : ":" + password) + "@127.0.0.1:" + port + "/" + database;
    }

    private static String failsWithOneLine(String name, Map<String, String> environment) throws Exception {
        return PackagedJar.startupError(directory, name, environment, PASSWORD, "wrong-password-42");
    }

    @Test
    void aMissingDatabaseSaysHowToCreateIt() throws Exception {
        String line = failsWithOneLine("missing-database",
                Map.of("DATABASE_URL", url("postgres", PASSWORD, postgres.port(), "no_such_database")));
        assertThat(line).contains("DATABASE_URL").contains("\"no_such_database\"").contains("does not exist")
                .contains("createdb -h 127.0.0.1 -p " + postgres.port() + " -U postgres no_such_database")
                .contains("DATABASE_CREATE=true");
    }

    @Test
    void databaseCreateTrueCreatesTheMissingDatabase() throws Exception {
        String database = "created_" + System.nanoTime();
        PackagedJar keys = PackagedJar.start(directory, Map.of("DATABASE_URL", url("postgres", PASSWORD, postgres.port(), database),
                "DATABASE_CREATE", "true"), directory.resolve("database-create.log"), "keys", "list");
        assertThat(keys.awaitExit(EXIT)).as(keys.output()).isZero();
        try (var connection = DriverManager.getConnection(postgres.url(database).jdbcUrl(), "postgres", PASSWORD);
             var result = connection.createStatement().executeQuery("select count(*) from flyway_schema_history")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getInt(1)).as("migrated").isPositive();
        }
    }

    @Test
    void anUnreachableServerNamesTheAddress() throws Exception {
        int closed = PackagedJar.freePort();
        String line = failsWithOneLine("unreachable", Map.of("DATABASE_URL", url("postgres", null, closed, "agentstream")));
        assertThat(line).contains("DATABASE_URL").contains("127.0.0.1:" + closed).contains("does not answer")
                .contains("Start PostgreSQL");
    }

    @Test
    void sslmodeRequireAgainstAServerWithoutTlsSaysTheServerRefusesIt() throws Exception {
        String line = failsWithOneLine("server-without-tls",
                Map.of("DATABASE_URL", url("postgres", PASSWORD, postgres.port(), "postgres") + "?sslmode=require"));
        assertThat(line).contains("DATABASE_URL: PostgreSQL on 127.0.0.1:" + postgres.port() + " does not accept TLS connections")
                .contains("sslmode is require").contains("ssl on").contains("sslmode=prefer").doesNotContain("does not answer");
    }

    @Test
    void aWrongPasswordSaysSoWithoutRepeatingIt() throws Exception {
        String line = failsWithOneLine("wrong-password",
                Map.of("DATABASE_URL", url("postgres", "wrong-password-42", postgres.port(), "postgres")));
        assertThat(line).contains("DATABASE_URL").contains("refused user \"postgres\"").contains("password");
    }

    @Test
    void anUnreachableRedisNamesRedisUrl() throws Exception {
        int closed = PackagedJar.freePort();
        String line = failsWithOneLine("redis", Map.of("DATABASE_URL", url("postgres", PASSWORD, postgres.port(), "postgres"),
                "REDIS_URL", "redis://:redis-secret-1@127.0.0.1:" + closed));
        assertThat(line).contains("REDIS_URL").contains("127.0.0.1:" + closed).contains("unset REDIS_URL")
                .doesNotContain("redis-secret-1");
    }

    @Test
    void aTakenPortNamesPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String line = failsWithOneLine("port", Map.of("DATABASE_URL", url("postgres", PASSWORD, postgres.port(), "postgres"),
                    "PORT", Integer.toString(taken.getLocalPort())));
            assertThat(line).contains("PORT: port " + taken.getLocalPort() + " is already in use").contains("set PORT");
        }
    }

    @Test
    void aBadVariableIsOneLineToo() throws Exception {
        String line = failsWithOneLine("bad-variable", Map.of("PORT", "http"));
        assertThat(line).contains("PORT").contains("whole number");
    }

    @Test
    void limitsThatCannotFitTheHeapAreOneLineNamingThem() throws Exception {
        String line = failsWithOneLine("memory-budget", Map.of(
                "DATABASE_URL", url("postgres", PASSWORD, postgres.port(), "postgres"),
                "JAVA_TOOL_OPTIONS", "-Xmx256m", "UPLOAD_MAX_CONCURRENT", "4"));
        assertThat(line).contains("UPLOAD_MAX_CONCURRENT × UPLOAD_MAX_BYTES").contains("INGEST_MAX_IN_FLIGHT_BYTES")
                .contains("the heap is").contains("-Xmx");
    }
}
