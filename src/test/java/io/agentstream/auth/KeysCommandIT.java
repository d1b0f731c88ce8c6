package io.agentstream.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/** The operators' command line, run from the packaged jar against the test's database. */
@IntegrationTest
class KeysCommandIT {

    @Autowired
    PostgresUnderTest postgres;

    @Autowired
    Api api;

    private record Run(int exit, String out) {
    }

    private Run keys(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", Path.of("target/agentstream.jar").toAbsolutePath().toString(), "keys"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DATABASE_URL", "postgresql://" + postgres.url().user() + "@" + postgres.url().host() + ":"
                + postgres.url().port() + "/" + postgres.url().database());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out);
    }

    @Test
    void operatorsCreateListAndRevokeKeysFromTheCommandLine() throws Exception {
        String name = "cli-" + System.nanoTime();
        Run created = keys("create", "--name", name, "--scopes", "ingest,read");
        assertThat(created.exit()).as(created.out()).isZero();
        Matcher key = Pattern.compile("key \\(shown once, store it now\\): (ap_live_[A-Za-z0-9_-]{43})").matcher(created.out());
        assertThat(key.find()).as(created.out()).isTrue();
        // A running instance takes it at once: looked up (a few unknown keys a second are), or in its set.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(6)).untilAsserted(() ->
                api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + key.group(1))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json"))
                        .exchange().expectStatus().isOk());

        Run listed = keys("list");
        assertThat(listed.exit()).isZero();
        assertThat(listed.out()).contains("\t" + name + "\t").contains("ingest,read").doesNotContain(key.group(1));
        String id = listed.out().lines().filter(line -> line.contains("\t" + name + "\t")).findFirst().orElseThrow().split("\t")[0];

        assertThat(keys("revoke", id).exit()).isZero();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + key.group(1))
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json"))
                        .exchange().expectStatus().isUnauthorized());

        Run bad = keys("create", "--name", "x", "--scopes", "root");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.out()).contains("scopes");
        assertThat(keys("frobnicate").exit()).isEqualTo(2);
    }
}
