package io.agentstream.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.agentstream.config.DatabaseUrl;
import io.agentstream.devmode.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which PostgreSQL server and which Redis the tests use when no Docker engine exists, in this
 * order: TEST_DATABASE_URL / TEST_REDIS_URL (defaults: the local servers on 5432 and 6379) if
 * something answers there; else an embedded server started once per test JVM and stopped when
 * it exits (the PostgreSQL binaries of development mode; {@code redis-server} from a test
 * dependency). Point TEST_DATABASE_URL or TEST_REDIS_URL at a closed port to test with the
 * embedded ones on a machine whose servers are running.
 */
public final class LocalServices {

    static final String DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/postgres";
    static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";

    private static final Logger log = LoggerFactory.getLogger(LocalServices.class);

    private static DatabaseUrl postgresServer;
    private static String redisUrl;

    private LocalServices() {
    }

    /** A server the tests may create databases on. */
    public static synchronized DatabaseUrl postgresServer() {
        if (postgresServer == null) {
            String configured = System.getenv().getOrDefault("TEST_DATABASE_URL", DEFAULT_DATABASE);
            DatabaseUrl candidate = DatabaseUrl.parse(configured);
            if (answers(candidate.host(), candidate.port())) {
                postgresServer = candidate;
                log.info("Tests use PostgreSQL at {}:{} (TEST_DATABASE_URL or the local server)", candidate.host(), candidate.port());
            } else {
                postgresServer = startEmbeddedPostgres();
            }
        }
        return postgresServer;
    }

    public static synchronized String redisUrl() {
        if (redisUrl == null) {
            String configured = System.getenv().getOrDefault("TEST_REDIS_URL", DEFAULT_REDIS);
            java.net.URI uri = java.net.URI.create(configured);
            if (answers(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort())) {
                redisUrl = configured;
                log.info("Tests use Redis at {}:{} (TEST_REDIS_URL or the local server)", uri.getHost(), uri.getPort());
            } else {
                redisUrl = EmbeddedRedis.start();
            }
        }
        return redisUrl;
    }

    private static DatabaseUrl startEmbeddedPostgres() {
        long started = System.nanoTime();
        Path data;
        try {
            // In the temporary directory: as root the server runs as an unprivileged user, who must reach it.
            data = Files.createTempDirectory("agentstream-test-postgres-", PackagedJar.OPEN_DIRECTORY).resolve("data");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // Throwaway data: no durability needed, and many test contexts hold connections at once.
        EmbeddedPostgres postgres = EmbeddedPostgres.start(data, List.of("fsync=off", "synchronous_commit=off",
                "full_page_writes=off", "max_connections=400"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            postgres.close();
            deleteRecursively(data.getParent());
        }, "embedded-postgres-stop"));
        log.info("Tests use the embedded PostgreSQL on 127.0.0.1:{} (nothing answered on TEST_DATABASE_URL), started in {} ms",
                postgres.port(), (System.nanoTime() - started) / 1_000_000);
        return postgres.url("postgres");
    }

    static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // The temporary directory is cleaned by the system eventually.
        }
    }
}
