package io.agentstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * {@code target/agentstream.jar} run as its own process, the way operators run it: with the
 * test JVM's java, a working directory, only the variables given (the service's own
 * variables inherited from the build's environment are removed), output to a file.
 */
public final class PackagedJar {

    /** The service's variables: none leaks from the environment the build runs in. */
    private static final List<String> SERVICE_VARIABLES = List.of("PORT", "DATABASE_URL", "DATABASE_CREATE",
            "AGENTPIPE_BRIDGE_API_KEY", "ADMIN_API_KEY", "REDIS_URL", "EMBEDDED_DATA_DIR", "MANAGEMENT_PORT",
            "LOG_LEVEL", "LOG_FORMAT", "SENTRY_DSN", "JAVA_TOOL_OPTIONS");

    /** For temporary directories: as root, the embedded PostgreSQL runs as an unprivileged user who must enter them. */
    public static final FileAttribute<Set<PosixFilePermission>> OPEN_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

    private final Process process;
    private final Path log;

    private PackagedJar(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static Path jar() {
        return Path.of("target/agentstream.jar").toAbsolutePath();
    }

    public static PackagedJar start(Path workingDirectory, Map<String, String> environment, Path log, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        SERVICE_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().putAll(environment);
        return new PackagedJar(builder.start(), log);
    }

    /** Runs to the end (start-up failures, commands) and returns the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit within " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Runs the jar to its failed exit and returns its one ERROR line: the start-up failure as
     * the operator reads it, with no stack trace, no framed report and none of the
     * {@code secrets} given.
     */
    public static String startupError(Path workingDirectory, String name, Map<String, String> environment,
                                      String... secrets) throws Exception {
        Map<String, String> all = new HashMap<>(environment);
        all.putIfAbsent("PORT", Integer.toString(freePort()));
        PackagedJar jar = start(workingDirectory, all, workingDirectory.resolve(name + ".log"));
        int exit = jar.awaitExit(Duration.ofSeconds(180));
        String out = jar.output();
        assertThat(exit).as(out).isNotZero();
        List<String> errors = out.lines().filter(line -> line.contains(" ERROR ")).toList();
        assertThat(errors).as(out).hasSize(1);
        assertThat(out).as("no stack trace, no framed report").doesNotContain("\tat ")
                .doesNotContain("Caused by").doesNotContain("APPLICATION FAILED TO START");
        for (String secret : secrets) {
            assertThat(out).doesNotContain(secret);
        }
        System.out.println("STARTUP ERROR (" + name + "): " + errors.getFirst().replaceFirst("^.*? : ", ""));
        return errors.getFirst();
    }

    /** Polls {@code GET /api/health} until 200 (returning the seconds since {@code startedAt}) or the process exits. */
    public double awaitHealthy(int port, long startedAt, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/api/health");
        boolean[] healthy = new boolean[1];
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                return true;
            }
            try {
                healthy[0] = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                healthy[0] = false;
            }
            return healthy[0];
        });
        if (!healthy[0]) {
            throw new AssertionError("not healthy, exit " + (process.isAlive() ? "none" : process.exitValue()) + ":\n" + output());
        }
        return (System.nanoTime() - startedAt) / 1e9;
    }

    /** SIGTERM, and the exit it leads to. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** SIGKILL: a crash, no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
