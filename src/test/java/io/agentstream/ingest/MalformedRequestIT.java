package io.agentstream.ingest;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * Every kind of bad request gets a 4xx {@code application/problem+json} that names what is
 * wrong, stores nothing, and leaves the service healthy.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestIT {

    static final String MESSAGE = fixture("message-created.json").strip();
    static final String STARTED = fixture("conversation-started.json").strip();
    static final String COMPLETED = fixture("conversation-completed.json").strip();
    static final String CONNECTED = fixture("bridge-connected.json").strip();
    static final String LOG = fixture("log-entry.json").strip();

    @Autowired
    Api api;

    /** A request, the status it must get, the problem type, and the fields it must name. */
    record Case(String name, String contentType, String authorization, String body,
                int status, String type, List<String> fields) {

        Case withContentType(String value) {
            return new Case(name, value, authorization, body, status, type, fields);
        }

        Case withAuthorization(String value) {
            return new Case(name, contentType, value, body, status, type, fields);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Case json(String name, String body, int status, String type, String... fields) {
        return new Case(name, MediaType.APPLICATION_JSON_VALUE, "Bearer " + Api.KEY, body, status, type, List.of(fields));
    }

    static Case invalid(String name, String body, String... fields) {
        return json(name, body, 400, "invalid-event", fields);
    }

    static String message(UnaryOperator<String> change) {
        return change.apply(MESSAGE);
    }

    static String withoutField(String event, String field) {
        return event.replaceAll("\"" + field + "\":(\"[^\"]*\"|[0-9.]+),?", "");
    }

    static Stream<Case> cases() {
        return Stream.of(
                json("not JSON", "hello", 400, "malformed-json"),
                json("truncated JSON", MESSAGE.substring(0, 60), 400, "malformed-json"),
                json("empty body", "", 400, "invalid-body"),
                json("whitespace body", "   ", 400, "invalid-body"),
                json("JSON scalar", "42", 400, "invalid-body"),
                json("JSON null", "null", 400, "invalid-body"),
                json("duplicate keys", MESSAGE.replace("\"type\":", "\"type\":\"bridge.test\",\"type\":"), 400, "malformed-json"),
                json("trailing garbage", MESSAGE + " trailing", 400, "malformed-json"),
                json("NaN literal", message(m -> m.replace("\"cost\":0.00213", "\"cost\":NaN")), 400, "malformed-json"),
                json("Infinity literal", message(m -> m.replace("\"cost\":0.00213", "\"cost\":Infinity")), 400, "malformed-json"),
                invalid("missing conversation_id", withoutField(MESSAGE, "conversation_id"), "data.conversation_id"),
                invalid("missing agent_type", withoutField(MESSAGE, "agent_type"), "data.agent_type"),
                invalid("missing content", withoutField(MESSAGE, "content"), "data.content"),
                invalid("missing type", withoutField(MESSAGE, "type"), "type"),
                invalid("missing timestamp", withoutField(MESSAGE, "timestamp"), "timestamp"),
                invalid("missing data", "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\"}", "data"),
                invalid("data not an object", "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":\"x\"}", "data"),
                invalid("content is a number", message(m -> m.replaceAll("\"content\":\"[^\"]*\"", "\"content\":42")), "data.content"),
                invalid("tokens as a string", message(m -> m.replace("\"tokens_used\":412", "\"tokens_used\":\"412\"")), "data.tokens_used"),
                invalid("sequence number with a fraction", message(m -> m.replace("\"sequence_number\":1", "\"sequence_number\":1.5")), "data.sequence_number"),
                invalid("sequence number beyond integer range", message(m -> m.replace("\"sequence_number\":1", "\"sequence_number\":3000000000")), "data.sequence_number"),
                invalid("tokens beyond 64 bits", message(m -> m.replace("\"tokens_used\":412", "\"tokens_used\":100000000000000000000000")), "data.tokens_used"),
                invalid("negative tokens", message(m -> m.replace("\"tokens_used\":412", "\"tokens_used\":-1")), "data.tokens_used"),
                invalid("negative cost", message(m -> m.replace("\"cost\":0.00213", "\"cost\":-0.5")), "data.cost"),
                invalid("negative duration", message(m -> m.replace("\"duration_ms\":5234", "\"duration_ms\":-5")), "data.duration_ms"),
                invalid("cost as the string NaN", message(m -> m.replace("\"cost\":0.00213", "\"cost\":\"NaN\"")), "data.cost"),
                invalid("NUL character in content", message(m -> m.replace("Start with", "Start\\u0000with")), "data.content"),
                invalid("unpaired surrogate in content", message(m -> m.replace("Start with", "Start\\ud800with")), "data.content"),
                invalid("unpaired surrogate in an unknown field", message(m -> m.replace("\"data\":{", "\"data\":{\"extra\":\"\\udc00\",")), "data.extra"),
                invalid("NUL character in an unknown field", message(m -> m.replace("\"data\":{", "\"data\":{\"extra\":\"a\\u0000b\",")), "data.extra"),
                invalid("content of 100,001 characters", message(m -> m.replaceAll("\"content\":\"[^\"]*\"", "\"content\":\"" + "x".repeat(100_001) + "\"")), "data.content"),
                invalid("bad timestamp", message(m -> m.replace("2026-11-20T10:15:07.654321Z", "yesterday")), "timestamp"),
                invalid("timestamp without offset", message(m -> m.replace("2026-11-20T10:15:07.654321Z", "2026-11-20T10:15:07")), "timestamp"),
                invalid("timestamp in year 0000", message(m -> m.replace("2026-11-20T10:15:07.654321Z", "0000-01-01T00:00:00Z")), "timestamp"),
                invalid("timestamp as a number", message(m -> m.replace("\"2026-11-20T10:15:07.654321Z\"", "1763633707")), "timestamp"),
                json("unknown type", message(m -> m.replace("message.created", "message.deleted")), 400, "unknown-event-type", "type"),
                invalid("conversation id with spaces", message(m -> m.replace("5b0f3c1e-9a4d-4c2e-8f7a-1d2e3f4a5b6c", "a b")), "data.conversation_id"),
                invalid("conversation id of 129 characters", message(m -> m.replace("5b0f3c1e-9a4d-4c2e-8f7a-1d2e3f4a5b6c", "c".repeat(129))), "data.conversation_id"),
                invalid("empty message id", message(m -> m.replace("0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21", "")), "data.message_id"),
                invalid("several bad fields at once", message(m -> withoutField(m, "content")
                        .replace("\"cost\":0.00213", "\"cost\":-1").replace("\"agent_type\":\"claude\"", "\"agent_type\":7")),
                        "data.content", "data.cost", "data.agent_type"),
                invalid("completed with an unknown status", COMPLETED.replace("\"status\":\"completed\"", "\"status\":\"done\""), "data.status"),
                invalid("summary text of 10,001 characters", COMPLETED.replaceAll("\"text\":\"[^\"]*\"", "\"text\":\"" + "s".repeat(10_001) + "\""), "data.summary.text"),
                invalid("started without participants", STARTED.replaceAll("\"participants\":\\[.*?\\}\\],", ""), "data.participants"),
                invalid("participant without agent type", STARTED.replace("\"agent_type\":\"claude\",", ""), "data.participants[0].agent_type"),
                invalid("started without system info", STARTED.replaceAll(",\"system_info\":\\{[^}]*\\}", ""), "data.system_info"),
                invalid("bridge.connected with a bad connected_at", CONNECTED.replace("\"connected_at\":\"2026-11-20T10:15:00Z\"", "\"connected_at\":\"soon\""), "data.connected_at"),
                json("wrong content type", MESSAGE, 415, "unsupported-media-type").withContentType(MediaType.TEXT_PLAIN_VALUE),
                json("form content type", MESSAGE, 415, "unsupported-media-type").withContentType(MediaType.APPLICATION_FORM_URLENCODED_VALUE),
                json("missing key", MESSAGE, 401, "unauthorized").withAuthorization(null),
                json("empty key", MESSAGE, 401, "unauthorized").withAuthorization("Bearer "),
                json("wrong key", MESSAGE, 401, "unauthorized").withAuthorization("Bearer not-the-right-key-0123456789"),
                json("basic instead of bearer", MESSAGE, 401, "unauthorized").withAuthorization("Basic " + Api.KEY),
                json("body of 2 MiB", "[" + ("\"" + "x".repeat(1023) + "\",").repeat(2048) + "1]", 413, "body-too-large"),
                // Numbers PostgreSQL's numeric (columns and jsonb) cannot hold, in every numeric field.
                invalid("cost below numeric's precision", message(m -> m.replace("\"cost\":0.00213", "\"cost\":1e-20000")), "data.cost"),
                invalid("cost with 341 decimals", message(m -> m.replace("\"cost\":0.00213", "\"cost\":1e-341")), "data.cost"),
                invalid("unknown field beyond numeric's range", message(m -> m.replace("\"data\":{", "\"data\":{\"n\":1e200000,")), "data.n"),
                invalid("unknown top-level field beyond range", message(m -> m.replace("{\"type\"", "{\"n\":-1e310,\"type\"")), "n"),
                invalid("integer of 400 digits in an unknown field", message(m -> m.replace("\"data\":{", "\"data\":{\"n\":" + "9".repeat(400) + ",")), "data.n"),
                invalid("log metrics beyond numeric's range", LOG.replace("\"total_tokens\":412", "\"total_tokens\":1e200000"), "data.metrics.total_tokens"),
                invalid("log metadata below numeric's precision", LOG.replace("\"turn\":1", "\"turn\":[1e-20000]"), "data.metadata.turn[0]"),
                invalid("completed total_cost below numeric's precision", COMPLETED.replace("\"total_cost\":0.00251", "\"total_cost\":1e-20000"), "data.total_cost"),
                invalid("completed duration_seconds below numeric's precision", COMPLETED.replace("\"duration_seconds\":100.3", "\"duration_seconds\":1e-20000"), "data.duration_seconds"),
                invalid("summary cost below numeric's precision", COMPLETED.replace("\"cost\":0.00004", "\"cost\":1e-20000"), "data.summary.cost"),
                invalid("tokens written as 1e3", message(m -> m.replace("\"tokens_used\":412", "\"tokens_used\":1e3")), "data.tokens_used"),
                // 3,500 numbers of 5 bytes are stored written out (309 digits each): past INGEST_MAX_EVENT_SIZE.
                json("numbers stored far larger than sent", message(m -> m.replace("\"data\":{", "\"data\":{\"n\":["
                        + String.join(",", java.util.Collections.nCopies(3500, "1e308")) + "],")), 413, "event-too-large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRejectedWithAProblemAndStoresNothing(Case c) {
        WebTestClient.RequestBodySpec request = api.client().post().uri("/api/ingest");
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        if (c.authorization() != null) {
            request.header("Authorization", c.authorization());
        }
        WebTestClient.BodyContentSpec body = request.bodyValue(c.body()).exchange()
                .expectStatus().isEqualTo(c.status())
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem:agentstream:" + c.type())
                .jsonPath("$.status").isEqualTo(c.status())
                .jsonPath("$.title").isNotEmpty()
                .jsonPath("$.detail").isNotEmpty();
        for (String field : c.fields()) {
            body.jsonPath("$.errors[?(@.field == '" + field + "')].message").isNotEmpty();
        }
        String text = new String(body.returnResult().getResponseBody());
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(Api.KEY);
        if (c.status() == 401) {
            assertThat(text).doesNotContain("not-the-right-key");
        }

        assertThat(api.count("select count(*) from events")).isZero();
        assertThat(api.count("select count(*) from conversations")).isZero();
        api.assertHealthy();
    }

    @Test
    void aFieldOfTheWrongTypeIsReportedOnceAndTheOtherFieldsAreStillChecked() {
        api.ingest(MESSAGE.replaceAll("\"content\":\"[^\"]*\"", "\"content\":42").replace("\"cost\":0.00213", "\"cost\":-1"))
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.errors.length()").isEqualTo(2)
                .jsonPath("$.errors[0].field").isEqualTo("data.content")
                .jsonPath("$.errors[0].message").isEqualTo("must be a string")
                .jsonPath("$.errors[1].field").isEqualTo("data.cost");
    }

    @Test
    void anUnknownTypeListsTheKnownTypes() {
        api.ingest(MESSAGE.replace("message.created", "message.deleted")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.known_types.length()").isEqualTo(7)
                .jsonPath("$.known_types[0]").isEqualTo("bridge.connected");
    }

    @Test
    void aChunkedBodyBeyondTheLimitIsRejectedWhileReading() {
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<DataBuffer> chunks = Flux.range(0, 2048).map(i -> buffers.wrap(("x".repeat(1024)).getBytes()));
        api.client().post().uri("/api/ingest")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .body(chunks, DataBuffer.class)
                .exchange()
                .expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        api.assertHealthy();
    }

    @Test
    void otherMethodsAndPathsAreProblemsToo() {
        api.client().method(HttpMethod.GET).uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isEqualTo(405)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        api.client().get().uri("/api/no-such-endpoint").header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:not-found");
    }

    @BeforeAll
    void casesAreMany() {
        assertThat(cases().count()).isGreaterThanOrEqualTo(30);
    }
}
