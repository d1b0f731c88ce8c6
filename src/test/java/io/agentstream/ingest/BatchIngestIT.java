package io.agentstream.ingest;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/** Batches: each event validated and stored on its own, one result per event, in order. */
@IntegrationTest
class BatchIngestIT {

    @Autowired
    Api api;

    @Test
    void aJsonArrayGetsOneResultPerEventAndInvalidOnesDoNotStopTheRest() {
        String batch = "[" + fixture("conversation-started.json") + ","
                + "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":{\"conversation_id\":\"x\"}},"
                + fixture("message-created.json") + ","
                + "{\"type\":\"no.such.type\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":{}},"
                + "42,"
                + fixture("message-created.json") + "]";
        api.ingest(batch).expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(2)
                .jsonPath("$.duplicates").isEqualTo(1)
                .jsonPath("$.rejected").isEqualTo(3)
                .jsonPath("$.results.length()").isEqualTo(6)
                .jsonPath("$.results[0].index").isEqualTo(0)
                .jsonPath("$.results[0].line").doesNotExist()
                .jsonPath("$.results[0].status").isEqualTo(201)
                .jsonPath("$.results[0].conversation_id").isEqualTo(Api.CONVERSATION)
                .jsonPath("$.results[5].index").isEqualTo(5)
                .jsonPath("$.results[1].status").isEqualTo(400)
                .jsonPath("$.results[1].type").isEqualTo("urn:problem:agentstream:invalid-event")
                .jsonPath("$.results[1].errors[?(@.field == 'data.content')]").exists()
                .jsonPath("$.results[1].errors[?(@.field == 'data.agent_type')]").exists()
                .jsonPath("$.results[2].status").isEqualTo(201)
                .jsonPath("$.results[2].event_id").isEqualTo((int) api.offset(2))
                .jsonPath("$.results[3].status").isEqualTo(400)
                .jsonPath("$.results[3].type").isEqualTo("urn:problem:agentstream:unknown-event-type")
                .jsonPath("$.results[4].status").isEqualTo(400)
                .jsonPath("$.results[5].duplicate").isEqualTo(true)
                .jsonPath("$.results[5].event_id").isEqualTo((int) api.offset(2));
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
    }

    @Test
    void ndjsonLinesAreIndependentEvenWhenOneIsNotJson() {
        String body = fixture("bridge-connected.json").strip() + "\n{not json\n\n" + fixture("log-entry.json").strip() + "\r\n";
        api.ingest(body, MediaType.APPLICATION_NDJSON).expectStatus().isOk()
                .expectBody()
                .jsonPath("$.results.length()").isEqualTo(3)
                .jsonPath("$.results[0].status").isEqualTo(200)
                .jsonPath("$.results[1].status").isEqualTo(400)
                .jsonPath("$.results[1].type").isEqualTo("urn:problem:agentstream:malformed-json")
                .jsonPath("$.results[1].line").isEqualTo(2)
                .jsonPath("$.results[2].status").isEqualTo(200)
                .jsonPath("$.results[2].index").isEqualTo(2)
                .jsonPath("$.results[2].line").isEqualTo(4);
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
    }

    @Test
    void aThousandEventsAreAcceptedInOneBatch() {
        String template = "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":"
                + "{\"conversation_id\":\"batch\",\"message_id\":\"m-%d\",\"agent_type\":\"claude\",\"content\":\"c\",\"tokens_used\":2}}";
        String body = IntStream.range(0, 1000).mapToObj(template::formatted).collect(Collectors.joining("\n"));
        api.ingest(body, MediaType.APPLICATION_NDJSON).expectStatus().isOk()
                .expectBody().jsonPath("$.accepted").isEqualTo(1000);
        assertThat(api.row("select message_count, tokens_used from conversations where id = 'batch'"))
                .containsEntry("message_count", 1000L).containsEntry("tokens_used", 2000L);
    }

    @Test
    void moreThanAThousandEventsIsRejectedWhole() {
        String body = "[" + IntStream.range(0, 1001).mapToObj(i -> fixture("bridge-test.json").strip())
                .collect(Collectors.joining(",")) + "]";
        api.ingest(body).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:batch-too-large");
        assertThat(api.count("select count(*) from events")).isZero();
    }

    @Test
    void anNdjsonBodyOfMoreLinesThanABatchIsRefusedAtTheOneTooMany() {
        // 1 MB of lines that are not even JSON: refused at line 1,001, not parsed (and kept) whole.
        String body = "{\n".repeat(500_000);
        api.ingest(body, MediaType.APPLICATION_NDJSON).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:batch-too-large");
        assertThat(api.count("select count(*) from events")).isZero();
        api.assertHealthy();
    }

    @Test
    void aJsonArrayOfMoreElementsThanABatchIsRefusedAtTheOneTooMany() {
        String body = "[" + "0,".repeat(300_000) + "0]";
        api.ingest(body).expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:batch-too-large");
        assertThat(api.count("select count(*) from events")).isZero();
    }

    @Test
    void anEmptyBatchIsABadRequest() {
        api.ingest("[]").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        api.ingest("\n\n", MediaType.APPLICATION_NDJSON).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
