package io.agentstream.auth;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;

@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class ApiKeyIT {

    @Autowired
    Api api;

    @Test
    void everyConfiguredKeyIsAcceptedSoKeysRotateWithoutDowntime() {
        for (String key : new String[] {Api.KEY, Api.SECOND_KEY}) {
            api.client().post().uri("/api/ingest")
                    .header("Authorization", "Bearer " + key)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(fixture("bridge-test.json").replace("Test event", "Test event " + key.length()))
                    .exchange()
                    .expectStatus().isOk();
        }
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
    }

    @Test
    void theSchemeIsCaseInsensitiveButTheKeyIsExact() {
        api.client().post().uri("/api/ingest").header("Authorization", "bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-test.json"))
                .exchange().expectStatus().isOk();
        for (String near : new String[] {Api.KEY + "x", Api.KEY.substring(1), Api.KEY.toUpperCase()}) {
            api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + near)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-test.json"))
                    .exchange().expectStatus().isUnauthorized()
                    .expectHeader().valueEquals("WWW-Authenticate", "Bearer realm=\"agentstream\"")
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Test
    void keysNeverReachTheLogs(CapturedOutput output) {
        String wrongKey = "wrong-key-that-must-not-be-logged-42";
        api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + wrongKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-test.json"))
                .exchange().expectStatus().isUnauthorized();
        api.ingest(fixture("bridge-test.json")).expectStatus().isOk();
        assertThat(output.getAll()).doesNotContain(wrongKey).doesNotContain(Api.KEY).doesNotContain(Api.SECOND_KEY);
    }

    @Test
    void healthIsPublicAndReportsTheDatabase() {
        api.client().get().uri("/api/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.version").isNotEmpty()
                .jsonPath("$.uptime_seconds").isNumber()
                .jsonPath("$.database.status").isEqualTo("UP")
                .jsonPath("$.database.latency_ms").isNumber();
    }
}
