package io.agentstream.ops;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** ops/smoke.sh against this build's own instance: every step passes, and a wrong key fails it. */
@IntegrationTest
class SmokeScriptIT {

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Test
    void everyStepPassesAgainstARunningInstance() throws Exception {
        Result result = smoke(Api.KEY, Api.ADMIN_KEY);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("PASS health", "PASS ingest", "PASS events", "PASS stream", "PASS metrics")
                .doesNotContain("FAIL").doesNotContain("SKIP");
        assertThat(api.count("select count(*) from events where type = 'bridge.test'")).isEqualTo(1);
    }

    @Test
    void aWrongKeyFailsTheSmokeTest() throws Exception {
        Result result = smoke("not-a-valid-key-0123456789", Api.ADMIN_KEY);
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("PASS health").contains("FAIL ingest: HTTP 401");
        api.assertHealthy();
    }

    private record Result(int exitCode, String output) {
    }

    private Result smoke(String key, String adminKey) throws Exception {
        requireProgram("bash");
        requireProgram("curl");
        ProcessBuilder builder = new ProcessBuilder("bash", "ops/smoke.sh", "http://127.0.0.1:" + port).redirectErrorStream(true);
        builder.environment().put("KEY", key);
        builder.environment().put("ADMIN_KEY", adminKey);
        builder.environment().remove("METRICS_URL");
        Process process = builder.start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ops/smoke.sh did not finish within 90 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void requireProgram(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(name + " is not installed (.ci/run installs it)");
        }
        assumeTrue(false, name + " is not installed");
    }
}
