package io.agentstream.ops;

import java.util.List;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/** LOG_FORMAT=json: every log line is one JSON object; request ids are there, keys and content are not. */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"logging.structured.format.console=ecs", "logging.level.io.agentstream=DEBUG"})
class JsonLogsIT {

    @Autowired
    Api api;

    @Test
    void logLinesAreJsonWithRequestIdsAndNoSecretsOrContent(CapturedOutput output) {
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.ingest("{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07Z\",\"data\":{\"content\":\"secret plan\"}}")
                .expectStatus().isBadRequest();
        api.client().post().uri("/api/ingest").header("Authorization", "Bearer not-a-valid-key-0000000000")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json")).exchange()
                .expectStatus().isUnauthorized();
        List<String> lines = output.getOut().lines().filter(line -> line.startsWith("{")).toList();
        assertThat(lines).isNotEmpty();
        List<JsonNode> logs = lines.stream().map(line -> JsonMapper.shared().readTree(line)).toList();
        assertThat(logs).allSatisfy(log -> {
            assertThat(log.has("@timestamp")).isTrue();
            assertThat(log.has("log.level") || log.has("log")).isTrue();
            assertThat(log.has("message")).isTrue();
        });
        assertThat(logs).anySatisfy(log -> assertThat(log.toString()).contains("request_id").contains("rejected: 400"));
        assertThat(output.getAll()).doesNotContain(Api.KEY).doesNotContain(Api.SECOND_KEY)
                .doesNotContain("not-a-valid-key-0000000000").doesNotContain("secret plan")
                .doesNotContain("Start with a token bucket");
    }
}
