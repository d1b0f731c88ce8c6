package io.agentstream.upload;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
@TestPropertySource(properties = {"agentstream.upload.max-bytes=8KB", "agentstream.upload.max-messages=1"})
class UploadLimitsIT {

    @Autowired
    Api api;

    private void expect413(String body, MediaType type, String problem) {
        api.client().post().uri("/api/sessions/upload")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(type).bodyValue(body).exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:" + problem);
        assertThat(api.count("select count(*) from conversations")).isZero();
        assertThat(api.count("select count(*) from events")).isZero();
    }

    @Test
    void uploadsBeyondTheMessageLimitAre413() {
        expect413(fixture("session-upload.json"), MediaType.APPLICATION_JSON, "too-many-messages");
        expect413(fixture("events_" + CONVERSATION + ".jsonl"), MediaType.APPLICATION_NDJSON, "too-many-messages");
    }

    @Test
    void bodiesBeyondTheByteLimitAre413() {
        String big = fixture("session-upload.json").replace("Let us focus on onboarding.", "x".repeat(10_000));
        expect413(big, MediaType.APPLICATION_JSON, "body-too-large");
        api.assertHealthy();
    }
}
