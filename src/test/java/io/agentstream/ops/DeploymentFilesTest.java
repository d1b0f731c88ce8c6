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
 * parses and wires the stack as the README promises, nginx is set up for SSE, the image
 * builds in stages and runs unprivileged with a health check. (ImageStartupIT runs the
 * image's entrypoint itself.)
 */
class DeploymentFilesTest {

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsTwoReplicasBehindNginxOnOnePort() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsOnlyKeys("postgres", "redis", "agentstream", "nginx");
        assertThat(((Map<String, Object>) services.get("agentstream").get("deploy")).get("replicas")).isEqualTo(2);
        assertThat(services.get("agentstream")).doesNotContainKey("ports");
        assertThat((Map<String, Object>) services.get("agentstream").get("environment"))
                .containsKeys("DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES");
        assertThat((List<String>) services.get("nginx").get("ports")).containsExactly("8080:80");
        assertThat((List<String>) services.get("nginx").get("volumes")).anyMatch(v -> v.startsWith("./ops/nginx.conf:"));
        assertThat((List<String>) services.get("postgres").get("volumes")).anyMatch(v -> v.startsWith("postgres-data:"));
    }

    @Test
    void nginxKeepsStreamsUnbufferedAndOpen() throws IOException {
        String nginx = Files.readString(Path.of("ops/nginx.conf"));
        String stream = nginx.substring(nginx.indexOf("location /api/realtime/stream"));
        stream = stream.substring(0, stream.indexOf('}'));
        assertThat(stream).contains("proxy_buffering off;").contains("proxy_read_timeout 1h;");
        assertThat(nginx).contains("proxy_http_version 1.1;").contains("proxy_set_header Connection \"\";")
                .contains("X-Forwarded-For");
    }

    @Test
    void theImageIsBuiltInStagesAndRunsUnprivilegedWithAHealthCheck() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile.lines().filter(line -> line.startsWith("FROM "))).hasSize(2);
        assertThat(dockerfile).contains("--mount=type=cache,target=/root/.m2").contains("USER agentstream")
                .contains("HEALTHCHECK").contains("/api/health").contains("MaxRAMPercentage");
        assertThat(Files.readString(Path.of(".dockerignore"))).contains("target");
    }
}
