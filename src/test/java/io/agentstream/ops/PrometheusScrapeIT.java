package io.agentstream.ops;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TcpProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring we ship, run for real: the service as compose starts it (MANAGEMENT_PORT)
 * and Debian's Prometheus loading ops/prometheus.yml and ops/alerts.yml. Only the targets
 * (Docker's DNS in compose, this test's port here) and the timings (1 s scrapes and
 * evaluations, every alert's {@code for} shortened to 1 s) are rewritten. Skipped only where
 * prometheus is not installed and CI is not true (.ci/run installs it).
 */
@IntegrationTest
@TestPropertySource(properties = {
        "management.server.port=0",
        "agentstream.test.database-proxy=true",
        // Three reads a minute per key: the test's fourth read is a 429, for the rate-limit series.
        "agentstream.rate-limit.enabled=true",
        "agentstream.rate-limit.read=3"})
class PrometheusScrapeIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path OPS = Path.of("ops");
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Names in alert expressions that are not the service's: the node exporter's, and Prometheus's own. */
    private static final Pattern NOT_OURS = Pattern.compile("node_.*|up");

    @Autowired
    Api api;

    @Autowired
    TcpProxy databaseProxy;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process prometheus;

    @AfterEach
    void stop() throws Exception {
        databaseProxy.restore();
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void theManagementPortAnswersTheScrapeWithoutAKeyAndTheServicePortDoesNotServeIt() throws Exception {
        HttpResponse<String> scrape = get("http://127.0.0.1:" + managementPort + "/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("agentstream_ready");
        assertThat(get("http://127.0.0.1:" + managementPort + "/actuator/health/readiness").statusCode()).isEqualTo(200);
        // The service port no longer serves the actuator, with or without a key.
        assertThat(get("http://127.0.0.1:" + port + "/actuator/prometheus").statusCode()).isIn(401, 404);
        api.client().get().uri("/actuator/prometheus").header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange()
                .expectStatus().isNotFound();
        // Only the actuator is public there, and only on that port: the API still needs its key.
        assertThat(get("http://127.0.0.1:" + port + "/api/conversations").statusCode()).isEqualTo(401);
        api.assertHealthy();
    }

    @Test
    void prometheusScrapesTheServiceEveryAlertAndPanelFindsItsSeriesAndTwoAlertsFire() throws Exception {
        String binary = prometheusBinary();
        int prometheusPort = freePort();
        String base = "http://127.0.0.1:" + prometheusPort;
        startPrometheus(binary, prometheusPort);

        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode targets = query(base + "/api/v1/targets").path("data").path("activeTargets");
            assertThat(targets).isNotEmpty();
            for (JsonNode target : targets) {
                assertThat(target.path("health").asString()).as(target.toString()).isEqualTo("up");
            }
        });

        traffic();
        Set<String> exported = new TreeSet<>();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            exported.clear();
            query(base + "/api/v1/label/__name__/values").path("data").forEach(name -> exported.add(name.asString()));
            // Series that exist only after the traffic: the last thing it did, and a refusal.
            assertThat(exported).contains("agentstream_uploads_total", "agentstream_ratelimit_rejected_total",
                    "agentstream_stream_duration_seconds_count");
        });

        // Still up after the traffic: a scrape Prometheus cannot parse (an exemplar where it allows
        // none, say) marks the whole target down.
        for (JsonNode target : query(base + "/api/v1/targets").path("data").path("activeTargets")) {
            assertThat(target.path("health").asString()).as(target.toString()).isEqualTo("up");
        }
        for (Map.Entry<String, String> alert : alertExpressions(OPS.resolve("alerts.yml")).entrySet()) {
            for (String metric : metricNames(alert.getValue())) {
                if (!NOT_OURS.matcher(metric).matches()) {
                    assertThat(exported).as(alert.getKey() + " names " + metric).contains(metric);
                }
            }
        }

        // Then a database outage: the instance stops being ready and ingest answers 503.
        databaseProxy.cut();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (int i = 0; i < 5; i++) {
                api.ingest(fixture("message-created.json")).expectStatus().isEqualTo(503);
            }
            Set<String> firing = new TreeSet<>();
            for (JsonNode alert : query(base + "/api/v1/alerts").path("data").path("alerts")) {
                if ("firing".equals(alert.path("state").asString())) {
                    firing.add(alert.path("labels").path("alertname").asString());
                }
            }
            assertThat(firing).contains("AgentstreamNotReady", "AgentstreamHttpErrors");
        });

        // Every panel of the Grafana dashboard, on the same Prometheus, returns data.
        for (Map.Entry<String, String> panel : dashboardQueries().entrySet()) {
            JsonNode result = query(base + "/api/v1/query?query=" + URLEncoder.encode(panel.getValue(), StandardCharsets.UTF_8));
            assertThat(result.path("status").asString()).as(panel.getKey()).isEqualTo("success");
            assertThat(result.path("data").path("result")).as(panel.getKey() + ": " + panel.getValue()).isNotEmpty();
        }
    }

    /** Something of everything the panels show: ingest, an upload, a stream that opens and ends, refusals. */
    private void traffic() {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.client().post().uri("/api/sessions/upload").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("session-upload.json"))
                .exchange().expectStatus().isCreated();
        new StreamClient(port).stream("", "0").filter(event -> !StreamClient.isConnected(event)).take(1)
                .blockLast(Duration.ofSeconds(30));
        api.client().get().uri("/api/conversations").exchange().expectStatus().isUnauthorized();
        int status = 0;
        for (int i = 0; i < 5 && status != 429; i++) {
            status = api.client().get().uri("/api/conversations").header("Authorization", "Bearer " + Api.KEY)
                    .exchange().returnResult(String.class).getStatus().value();
        }
        assertThat(status).as("a read past RATE_LIMIT_READ").isEqualTo(429);
    }

    @SuppressWarnings("unchecked")
    private void startPrometheus(String binary, int prometheusPort) throws IOException {
        Yaml yaml = new Yaml();
        String alerts = Files.readString(OPS.resolve("alerts.yml")).replaceAll("(?m)^(\\s+for:) .*$", "$1 1s");
        Files.writeString(work.resolve("alerts.yml"), alerts);

        Map<String, Object> config = yaml.load(Files.readString(OPS.resolve("prometheus.yml")));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            if ("agentstream".equals(job.get("job_name"))) {
                assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
                Object port = ((List<Map<String, Object>>) job.remove("dns_sd_configs")).getFirst().get("port");
                assertThat(port).as("compose's MANAGEMENT_PORT").isEqualTo(9090);
                job.put("static_configs", List.of(Map.of("targets", List.of("127.0.0.1:" + managementPort))));
                jobs.add(job);
            }
            // The node exporter's job needs a node exporter, which is not the service.
        }
        assertThat(jobs).hasSize(1);
        config.put("scrape_configs", jobs);
        config.put("rule_files", List.of(work.resolve("alerts.yml").toString()));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(work.resolve("prometheus.yml"), new Yaml(options).dump(config));

        prometheus = new ProcessBuilder(binary, "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    }

    /** Each alert's expression, by name. */
    @SuppressWarnings("unchecked")
    static Map<String, String> alertExpressions(Path file) throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(file));
        Map<String, String> expressions = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.put((String) rule.get("alert"), (String) rule.get("expr"));
            }
        }
        return expressions;
    }

    /**
     * The metric names a PromQL expression reads: identifiers outside label matchers and
     * grouping clauses that are neither functions nor keywords.
     */
    static Set<String> metricNames(String expression) {
        String bare = expression.replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\"[^\"]*\"", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifiers = Pattern.compile("\\b[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(bare);
        while (identifiers.find()) {
            String name = identifiers.group();
            boolean function = bare.substring(identifiers.end()).matches("(?s)\\s*\\(.*");
            if (!function && !Set.of("and", "or", "unless", "bool", "offset", "e", "Inf", "NaN").contains(name)
                    && !name.matches("\\d.*")) {
                names.add(name);
            }
        }
        return names;
    }

    private static Map<String, String> dashboardQueries() throws IOException {
        JsonNode dashboard = JSON.readTree(OPS.resolve("grafana/dashboards/agentstream.json").toFile());
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            int n = 0;
            for (JsonNode target : panel.path("targets")) {
                queries.put(panel.path("title").asString() + " #" + ++n, target.path("expr").asString());
            }
        }
        assertThat(queries).isNotEmpty();
        return queries;
    }

    private JsonNode query(String url) throws Exception {
        HttpResponse<String> response = get(url);
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String prometheusBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        assumeTrue(false, "prometheus is not installed (the Debian package prometheus)");
        return null;
    }
}
