package io.agentstream.ops;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TcpProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * ops/nginx.conf loaded and run by Debian's nginx in front of the service, as compose runs
 * it. Only what names this machine is rewritten: the replica's address (compose's
 * {@code agentstream:8080 resolve} on Docker's DNS; {@code resolve} needs nginx 1.27.3, compose
 * runs 1.28, Debian ships 1.22), the listening port, and the paths of the log, pid and
 * temporary files. Skipped only where nginx is not installed and CI is not true (.ci/run
 * installs it).
 */
@IntegrationTest
@TestPropertySource(properties = "agentstream.test.database-proxy=true")
class NginxProxyIT {

    private static final Path CONF = Path.of("ops/nginx.conf");

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Autowired
    TcpProxy databaseProxy;

    @TempDir
    Path work;

    private Process nginx;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        databaseProxy.restore();
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(20, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    @Test
    void theShippedConfigurationProxiesTheApiStreamsUnbufferedAndUncompressedPassesA503HidesTheActuatorAndLogsNoToken() throws Exception {
        int proxyPort = freePort();
        start(proxyPort);
        String base = "http://127.0.0.1:" + proxyPort;

        assertThat(get(base + "/nginx-health").body()).isEqualTo("ok\n");
        HttpResponse<String> health = get(base + "/api/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"database\"");
        assertThat(get(base + "/actuator/prometheus").statusCode()).isEqualTo(404);
        assertThat(get(base + "/api/conversations").statusCode()).isEqualTo(401);

        WebTestClient proxied = WebTestClient.bindToServer().baseUrl(base).responseTimeout(Duration.ofSeconds(20)).build();
        String token = JsonMapper.shared().readTree(proxied.post().uri("/api/realtime/token")
                        .header("Authorization", "Bearer " + Api.KEY).contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of())
                        .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody())
                .get("token").asString();
        // The dashboard's way: the token in the query string, which nginx must not write to its log.
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture<List<String>> received = new StreamClient(proxyPort).streamWithQuery("access_token=" + token)
                .doOnNext(frame -> {
                    if (StreamClient.isConnected(frame)) {
                        connected.complete(null);
                    }
                })
                .filter(frame -> frame.id() != null).map(frame -> frame.id()).take(1).collectList().toFuture();
        connected.get(10, TimeUnit.SECONDS);
        byte[] ack = proxied.post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json"))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        long acknowledged = System.nanoTime();
        long offset = JsonMapper.shared().readTree(ack).get("event_id").asLong();
        // Unbuffered: the event arrives while the stream is open, not when it ends.
        assertThat(received.get(10, TimeUnit.SECONDS)).containsExactly(Long.toString(offset));
        System.out.printf("NGINX: the event reached the stream through nginx %d ms after its acknowledgement%n",
                (System.nanoTime() - acknowledged) / 1_000_000);

        // Never compressed, whatever the client accepts: a gzip stream would hold events back.
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(
                        URI.create(base + "/api/realtime/stream?access_token=" + token)).header("Accept-Encoding", "gzip")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        stream.body().close();

        // The service's 503 and its Retry-After reach the client as they are.
        databaseProxy.cut();
        HttpResponse<String> unavailable = http.send(HttpRequest.newBuilder(URI.create(base + "/api/ingest"))
                .header("Authorization", "Bearer " + Api.KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(fixture("message-created.json"))).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(unavailable.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        databaseProxy.restore();
        // The pool's connections died with the relay: working again before the next test.
        api.awaitDatabase();

        // nginx logs a request when it ends: the stream's once the client has closed it.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(work.resolve("access.log"))).contains("GET /api/realtime/stream"));
        assertThat(Files.readString(work.resolve("access.log"))).contains("POST /api/ingest")
                .doesNotContain(token).doesNotContain("access_token");
    }

    private void start(int proxyPort) throws Exception {
        String nginxBinary = binary();
        for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            // Written by nginx's workers, which run as an unprivileged user when it starts as root.
            Path dir = Files.createDirectories(work.resolve(temp));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        String conf = Files.readString(CONF);
        String rendered = replace(replace(replace(replace(conf,
                                "    resolver 127.0.0.11 valid=10s ipv6=off;\n", ""),
                        "server agentstream:8080 resolve;", "server 127.0.0.1:" + port + ";"),
                "listen 80;", "listen 127.0.0.1:" + proxyPort + ";"),
                "access_log /var/log/nginx/access.log agentstream;", "access_log " + work.resolve("access.log") + " agentstream;");
        rendered = "pid " + work.resolve("nginx.pid") + ";\nerror_log " + work.resolve("error.log") + " warn;\n"
                + replace(rendered, "http {\n", "http {\n"
                + "    client_body_temp_path " + work.resolve("body") + ";\n"
                + "    proxy_temp_path " + work.resolve("proxy") + ";\n"
                + "    fastcgi_temp_path " + work.resolve("fastcgi") + ";\n"
                + "    uwsgi_temp_path " + work.resolve("uwsgi") + ";\n"
                + "    scgi_temp_path " + work.resolve("scgi") + ";\n");
        Path file = work.resolve("nginx.conf");
        Files.writeString(file, rendered);
        Process check = new ProcessBuilder(nginxBinary, "-t", "-p", work.toString(), "-c", file.toString())
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(checked).isZero();

        nginx = new ProcessBuilder(nginxBinary, "-p", work.toString(), "-c", file.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(nginx.isAlive()).as(Files.readString(work.resolve("nginx.out"))).isTrue();
            try (Socket ignored = new Socket("127.0.0.1", proxyPort)) {
                return true;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
    }

    /** The text with {@code from} replaced, which must be there: a changed conf fails here, not silently. */
    private static String replace(String text, String from, String to) {
        assertThat(text).as("ops/nginx.conf still has this line").contains(from);
        return text.replace(from, to);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        assumeTrue(false, "nginx is not installed (the Debian package nginx)");
        return null;
    }
}
