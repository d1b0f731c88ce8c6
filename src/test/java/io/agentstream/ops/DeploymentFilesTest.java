package io.agentstream.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the container files without a container engine: the compose file
 * parses and wires the stack as the README promises (restart policies, health checks, limits,
 * log rotation, internal-only data stores, the monitoring profile), nginx is set up for SSE
 * and re-resolves its replicas, the image builds in stages and runs unprivileged with a
 * health check. (ImageStartupIT runs the
 * image's entrypoint itself.)
 */
class DeploymentFilesTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsTwoReplicasBehindNginxOnOnePort() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertThat(services).containsOnlyKeys("postgres", "redis", "agentstream", "nginx", "prometheus", "grafana", "node-exporter");
        assertThat(((Map<String, Object>) services.get("agentstream").get("deploy")).get("replicas")).isEqualTo(2);
        assertThat(services.get("agentstream")).doesNotContainKey("ports");
        assertThat((Map<String, Object>) services.get("agentstream").get("environment"))
                .containsKeys("DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES", "MANAGEMENT_PORT");
        assertThat((List<String>) services.get("nginx").get("ports")).containsExactly("8080:80");
        // Only nginx may name the client in X-Forwarded-For: its fixed address, not every private range.
        String nginxAddress = (String) ((Map<String, Map<String, Object>>) services.get("nginx").get("networks"))
                .get("frontend").get("ipv4_address");
        assertThat(((Map<String, Object>) services.get("agentstream").get("environment")).get("TRUSTED_PROXIES"))
                .isEqualTo(nginxAddress);
        assertThat((List<String>) services.get("nginx").get("volumes")).anyMatch(v -> v.startsWith("./ops/nginx.conf:"));
        assertThat((List<String>) services.get("postgres").get("volumes")).anyMatch(v -> v.startsWith("postgres-data:"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceRestartsIsHealthCheckedLimitedAndRotatesItsLog() throws IOException {
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            Map<String, Object> definition = service.getValue();
            String name = service.getKey();
            assertThat(definition.get("restart")).as(name).isEqualTo("unless-stopped");
            assertThat((Map<String, Object>) definition.get("healthcheck")).as(name).containsKey("test");
            Map<String, Object> limits = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                    definition.get("deploy")).get("resources")).get("limits");
            assertThat(limits).as(name).containsKeys("cpus", "memory");
            Map<String, Object> logging = (Map<String, Object>) definition.get("logging");
            assertThat(logging.get("driver")).as(name).isEqualTo("json-file");
            assertThat((Map<String, Object>) logging.get("options")).as(name).containsKeys("max-size", "max-file");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void servicesStartOnlyOnceWhatTheyNeedIsHealthy() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, Map<String, String>> app = (Map<String, Map<String, String>>) services.get("agentstream").get("depends_on");
        assertThat(app.get("postgres").get("condition")).isEqualTo("service_healthy");
        assertThat(app.get("redis").get("condition")).isEqualTo("service_healthy");
        Map<String, Map<String, String>> nginx = (Map<String, Map<String, String>>) services.get("nginx").get("depends_on");
        assertThat(nginx.get("agentstream").get("condition")).isEqualTo("service_healthy");
        assertThat(((Map<String, Map<String, String>>) services.get("grafana").get("depends_on")).get("prometheus").get("condition"))
                .isEqualTo("service_healthy");
    }

    @Test
    @SuppressWarnings("unchecked")
    void postgresAndRedisAreInternalOnlyLogSlowQueriesAndCapMemory() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Map<String, Object>> services = services();
        assertThat(services.get("postgres")).doesNotContainKey("ports");
        assertThat(services.get("redis")).doesNotContainKey("ports");
        assertThat((List<String>) services.get("postgres").get("networks")).containsExactly("backend");
        assertThat((List<String>) services.get("redis").get("networks")).containsExactly("backend");
        Map<String, Map<String, Object>> networks = (Map<String, Map<String, Object>>) compose.get("networks");
        assertThat(networks.get("backend").get("internal")).isEqualTo(true);
        assertThat(String.join(" ", (List<String>) services.get("postgres").get("command")))
                .contains("log_min_duration_statement=");
        String redis = String.join(" ", (List<String>) services.get("redis").get("command"));
        assertThat(redis).contains("--maxmemory 256mb").contains("--maxmemory-policy volatile-ttl").contains("--appendonly no");
        // The heap and the JVM's other memory are the budget's (docs/architecture.md), within the container's limit.
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("-Xmx576m").contains("-XX:MaxDirectMemorySize=96m");
    }

    @Test
    @SuppressWarnings("unchecked")
    void monitoringIsAProfileWithPrometheusAndAProvisionedDashboard() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (String name : List.of("prometheus", "grafana", "node-exporter")) {
            assertThat((List<String>) services.get(name).get("profiles")).as(name).containsExactly("monitoring");
        }
        for (String name : List.of("postgres", "redis", "agentstream", "nginx")) {
            assertThat(services.get(name)).as(name).doesNotContainKey("profiles");
        }
        assertThat((List<String>) services.get("prometheus").get("volumes"))
                .contains("./ops/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "./ops/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat((List<String>) services.get("grafana").get("volumes"))
                .contains("./ops/grafana/provisioning:/etc/grafana/provisioning:ro", "./ops/grafana/dashboards:/var/lib/grafana/dashboards:ro");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(Path.of("ops/prometheus.yml")));
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly("alerts.yml");
        assertThat(Files.readString(Path.of("ops/prometheus.yml"))).contains("metrics_path: /actuator/prometheus")
                .contains("names: [agentstream]").contains("port: 9090");
        Map<String, Object> providers = new Yaml().load(Files.readString(Path.of("ops/grafana/provisioning/dashboards/agentstream.yml")));
        assertThat(providers.toString()).contains("/var/lib/grafana/dashboards");
        assertThat(Files.readString(Path.of("ops/grafana/provisioning/datasources/prometheus.yml"))).contains("http://prometheus:9090");
        Map<String, Object> dashboard = new tools.jackson.databind.json.JsonMapper()
                .readValue(Files.readString(Path.of("ops/grafana/dashboards/agentstream.json")), Map.class);
        assertThat(dashboard.get("uid")).isEqualTo("agentstream");
        assertThat((List<Object>) dashboard.get("panels")).hasSizeGreaterThan(10);
    }

    @Test
    void nginxKeepsStreamsUnbufferedAndOpen() throws IOException {
        String nginx = activeNginx();
        String stream = nginx.substring(nginx.indexOf("location /api/realtime/stream"));
        stream = stream.substring(0, stream.indexOf('}'));
        assertThat(stream).contains("proxy_buffering off;").contains("proxy_read_timeout 1h;");
        assertThat(nginx).contains("proxy_http_version 1.1;").contains("proxy_set_header Connection \"\";")
                .contains("X-Forwarded-For");
    }

    @Test
    void nginxFindsReplicasAgainBalancesByConnectionsAndKeepsTheActuatorInside() throws IOException {
        String nginx = activeNginx();
        String upstream = nginx.substring(nginx.indexOf("upstream agentstream"));
        upstream = upstream.substring(0, upstream.indexOf('}'));
        assertThat(nginx).containsPattern("resolver 127\\.0\\.0\\.11 valid=\\d+s");
        assertThat(upstream).contains("zone agentstream").contains("least_conn;").contains("server agentstream:8080 resolve;");
        String actuator = nginx.substring(nginx.indexOf("location ^~ /actuator"));
        actuator = actuator.substring(0, actuator.indexOf('}'));
        assertThat(actuator).contains("return 404;");
    }

    @Test
    void nginxCarriesACommentedTlsServerWithHsts() throws IOException {
        String nginx = Files.readString(Path.of("ops/nginx.conf"));
        assertThat(nginx).contains("#     listen 443 ssl;").contains("#     ssl_certificate ")
                .containsPattern("#\\s+add_header Strict-Transport-Security \"max-age=\\d+; includeSubDomains\" always;");
        assertThat(activeNginx()).doesNotContain("listen 443");
    }

    /** The configuration without its comments. */
    private static String activeNginx() throws IOException {
        return Files.readString(Path.of("ops/nginx.conf")).lines().map(line -> line.replaceFirst("#.*$", ""))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void theImageIsBuiltInStagesAndRunsUnprivilegedWithAHealthCheck() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile.lines().filter(line -> line.startsWith("FROM "))).hasSize(2);
        assertThat(dockerfile).contains("--mount=type=cache,target=/root/.m2").contains("USER agentstream")
                .contains("HEALTHCHECK").contains("/api/health").contains("-Xmx");
        assertThat(Files.readString(Path.of(".dockerignore"))).contains("target");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theImageSaysWhichReleaseAndCommitItIsAndComposeTagsItWithTheRelease() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String runStage = dockerfile.substring(dockerfile.lastIndexOf("FROM "));
        for (String label : List.of("version=\"${VERSION}\"", "revision=\"${REVISION}\"", "source=\"${SOURCE}\"")) {
            assertThat(runStage).as("the run stage's labels").contains("org.opencontainers.image." + label);
        }
        assertThat(runStage).contains("ARG VERSION").contains("ARG REVISION").contains("ARG SOURCE");
        Map<String, Object> app = services().get("agentstream");
        assertThat((String) app.get("image")).isEqualTo("agentstream:${AGENTSTREAM_VERSION:-dev}");
        Map<String, Object> args = (Map<String, Object>) ((Map<String, Object>) app.get("build")).get("args");
        assertThat(args).containsEntry("VERSION", "${AGENTSTREAM_VERSION:-dev}")
                .containsEntry("REVISION", "${GIT_REVISION:-unknown}").containsEntry("SOURCE", "${SOURCE_URL:-unknown}");
        // The rollback names the tag.
        assertThat(Files.readString(Path.of("RUNBOOK.md"))).contains("AGENTSTREAM_VERSION=<previous release>");
    }
}
