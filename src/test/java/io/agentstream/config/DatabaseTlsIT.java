package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.agentstream.AgentstreamApplication;
import io.agentstream.support.PackagedJar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * DATABASE_URL's TLS parameters against a real PostgreSQL that accepts TLS connections only:
 * a throw-away server (initdb and pg_ctl of the installed PostgreSQL, as an unprivileged
 * user) with a certificate from a CA made by this test with openssl. Both the migrations
 * (JDBC) and the runtime (R2DBC) must connect through it.
 */
class DatabaseTlsIT {

    static Path dir;
    static Path bin;
    static int port;
    static Path ca;
    static Path otherCa;

    @BeforeAll
    static void startServer() throws Exception {
        bin = postgresBin();
        Assumptions.assumeTrue(bin != null, "PostgreSQL server programs (initdb, pg_ctl) are not installed");
        Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed");
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(!root || onPath("setpriv"), "setpriv is not installed (PostgreSQL does not run as root)");

        dir = Files.createTempDirectory("agentstream-tls-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ca = certificateAuthority("ca");
        otherCa = certificateAuthority("other-ca");
        run(dir, "openssl", "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=agentstream test server");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        port = freePort();
        Path data = dir.resolve("data");
        if (root) {
            run(dir, "chown", "-R", "65534:65534", dir.toString());
        }
        runAsServer(root, dir.resolve("initdb.log"), bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "--no-sync");
        Files.writeString(data.resolve("postgresql.conf"), """

                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = '%s'
                ssl = on
                ssl_cert_file = '%s'
                ssl_key_file = '%s'
                fsync = off
                max_connections = 30
                """.formatted(port, dir, dir.resolve("server.pem"), dir.resolve("server.key")),
                java.nio.file.StandardOpenOption.APPEND);
        // TLS or nothing over TCP.
        Files.writeString(data.resolve("pg_hba.conf"), """
                local all all trust
                hostssl all all 127.0.0.1/32 trust
                """);
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        if (root) {
            run(dir, "chown", "-R", "65534:65534", dir.toString());
        }
        runAsServer(root, dir.resolve("pg_ctl.log"), bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
        runAsServer(root, dir.resolve("createdb.log"), bin.resolve("createdb").toString(), "-h", dir.toString(), "-p",
                Integer.toString(port), "-U", "postgres", "agentstream");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (dir == null) {
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        runAsServer(root, dir.resolve("pg_ctl-stop.log"), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-m", "immediate", "-w", "stop");
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    String url(String query) {
        return "postgresql://postgres@127.0.0.1:" + port + "/agentstream?" + query;
    }

    ConfigurableApplicationContext start(String databaseUrl) {
        return new SpringApplicationBuilder(AgentstreamApplication.class).web(WebApplicationType.NONE)
                .properties(Map.of("DATABASE_URL", databaseUrl, "logging.level.root", "WARN"))
                .run();
    }

    @Test
    void verifyFullWithTheRightCaConnectsOverTls() {
        try (ConfigurableApplicationContext context = start(url("sslmode=verify-full&sslrootcert=" + ca
                + "&application_name=agentstream-tls-test&connect_timeout=5"))) {
            Map<String, Object> session = context.getBean(DatabaseClient.class)
                    .sql("select s.ssl, s.version, a.application_name from pg_stat_ssl s join pg_stat_activity a using (pid) "
                            + "where s.pid = pg_backend_pid()")
                    .fetch().one().block(Duration.ofSeconds(10));
            assertThat(session).containsEntry("ssl", true).containsEntry("application_name", "agentstream-tls-test");
            assertThat((String) session.get("version")).startsWith("TLS");
            // The migrations ran, over JDBC: the server takes nothing but TLS.
            assertThat(context.getBean(DatabaseClient.class).sql("select count(*) from flyway_schema_history where success")
                    .map(row -> row.get(0, Long.class)).one().block(Duration.ofSeconds(10))).isPositive();
        }
    }

    @Test
    void aWrongCaSaysTheCertificateIsNotSignedByTheCaInSslrootcert() throws Exception {
        String line = PackagedJar.startupError(dir, "wrong-ca", Map.of("DATABASE_URL", url("sslmode=verify-full&sslrootcert=" + otherCa)));
        assertThat(line).contains("DATABASE_URL: the certificate PostgreSQL on 127.0.0.1:" + port + " presented is not signed by a CA in sslrootcert (" + otherCa + ")")
                .contains("sslmode=require").doesNotContain("does not answer");
        // verify-ca checks the same chain.
        String verifyCa = PackagedJar.startupError(dir, "wrong-ca-verify-ca", Map.of("DATABASE_URL", url("sslmode=verify-ca&sslrootcert=" + otherCa)));
        assertThat(verifyCa).contains("is not signed by a CA in sslrootcert").contains("(sslmode is verify-ca)");
    }

    @Test
    void aHostTheCertificateDoesNotNameSaysSo() throws Exception {
        // The certificate names the address 127.0.0.1 only; "localhost" is the same server by another name.
        String line = PackagedJar.startupError(dir, "host-mismatch", Map.of("DATABASE_URL",
                "postgresql://postgres@localhost:" + port + "/agentstream?sslmode=verify-full&sslrootcert=" + ca));
        assertThat(line).contains("presented does not name \"localhost\"").contains("sslmode=verify-ca")
                .doesNotContain("does not answer");
    }

    @Test
    void sslmodeDisableAgainstAServerRequiringTlsSaysWhichParameterFixesIt() throws Exception {
        String line = PackagedJar.startupError(dir, "no-encryption", Map.of("DATABASE_URL", url("sslmode=disable")));
        assertThat(line).contains("no pg_hba.conf entry that lets an unencrypted connection in (sslmode is disable)")
                .contains("sslmode=verify-full").doesNotContain("wrong password");
    }

    @Test
    void anUnknownParameterStopsStartUpNamingIt() {
        Throwable failure = catchThrowable(() -> start(url("sslmode=verify-full&sslrootcert=" + ca + "&sslmode_typo=1")).close());
        assertThat(failure).hasStackTraceContaining("unknown parameter 'sslmode_typo'");
    }

    private static Path certificateAuthority(String name) throws Exception {
        run(dir, "openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", name + ".key", "-out",
                name + ".pem", "-days", "2", "-subj", "/CN=agentstream test " + name);
        return dir.resolve(name + ".pem");
    }

    private static void runAsServer(boolean root, Path log, String... command) throws Exception {
        List<String> all = new ArrayList<>();
        if (root) {
            all.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        all.addAll(Arrays.asList(command));
        Process process = new ProcessBuilder(all).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }

    private static void run(Path workDir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(entry -> Files.isExecutable(Path.of(entry, program)));
    }

    /** The newest installed PostgreSQL's server programs (Debian keeps them off the PATH). */
    private static Path postgresBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                return versions.map(version -> version.resolve("bin"))
                        .filter(path -> Files.isExecutable(path.resolve("initdb")))
                        .max(Comparator.comparing(path -> Integer.parseInt(path.getParent().getFileName().toString()
                                .replaceAll("\\D", "0")))).orElse(null);
            }
        }
        return onPath("initdb") && onPath("pg_ctl") ? Path.of(Stream.of(System.getenv("PATH").split(":"))
                .filter(entry -> Files.isExecutable(Path.of(entry, "initdb"))).findFirst().orElseThrow()) : null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
