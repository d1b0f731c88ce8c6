package io.agentstream.upload;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Uploads are read as streams and refused at the first limit they pass, list at most 100
 * problems with the count of all, reject numbers PostgreSQL cannot store, and run at most
 * UPLOAD_MAX_CONCURRENT at once.
 */
@IntegrationTest
@TestPropertySource(properties = {"agentstream.upload.max-events=300", "agentstream.upload.max-concurrent=1"})
class UploadMemoryBoundsIT {

    static final String LOG = fixture("events_" + Api.CONVERSATION + ".jsonl");

    @Autowired
    Api api;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    WebTestClient.ResponseSpec upload(String body, MediaType type) {
        return api.client().post().uri("/api/sessions/upload")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(type).bodyValue(body).exchange();
    }

    private void assertNothingStored() {
        assertThat(api.count("select count(*) from conversations")).isZero();
        assertThat(api.count("select count(*) from events")).isZero();
        api.assertHealthy();
    }

    @Test
    void anEventLogOfMoreLinesThanEventsIsRefusedAtTheOneTooMany() {
        upload("0\n".repeat(200_000), MediaType.APPLICATION_NDJSON).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:too-many-events")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("UPLOAD_MAX_EVENTS"));
        assertNothingStored();
    }

    @Test
    void aHundredProblemsAreListedWithTheCountOfAll() {
        String body = LOG + IntStream.range(0, 150).mapToObj(i -> "{\"not\":\"an event\"}").collect(Collectors.joining("\n"));
        upload(body, MediaType.APPLICATION_NDJSON).expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem:agentstream:invalid-upload")
                .jsonPath("$.errors.length()").isEqualTo(100)
                .jsonPath("$.invalid_lines").isEqualTo(150);
        assertNothingStored();
    }

    @Test
    void numbersPostgresqlCannotStoreAre400NamingTheField() {
        String json = fixture("session-upload.json");
        upload(json.replace("\"cost\":0.00043", "\"cost\":1e-20000"), MediaType.APPLICATION_JSON).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[?(@.field == 'messages[0].cost')]").exists();
        upload(json.replace("\"total_cost\":0.0047", "\"total_cost\":1e-20000"), MediaType.APPLICATION_JSON).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[?(@.field == 'conversation.total_cost')]").exists();
        upload(json.replace("\"status\":\"COMPLETED\"", "\"status\":\"COMPLETED\",\"command\":{\"n\":1e200000}"), MediaType.APPLICATION_JSON)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[?(@.field == 'conversation.command.n')]").exists();
        String line = LOG.lines().filter(l -> l.contains("\"cost\":")).findFirst().orElseThrow();
        int number = LOG.lines().toList().indexOf(line) + 1;
        upload(LOG.replace(line, line.replaceFirst("\"cost\":[0-9.]+", "\"cost\":1e-20000")), MediaType.APPLICATION_NDJSON)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[?(@.field == 'line " + number + ": data.cost')]").exists();
        upload(LOG.replace(line, line.replace("\"data\":{", "\"data\":{\"n\":1e200000,")), MediaType.APPLICATION_NDJSON)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[?(@.field == 'line " + number + ": data.n')]").exists();
        assertNothingStored();
    }

    @Test
    void aJsonUploadWithAMemberOfTheWrongTypeNamesIt() {
        upload(fixture("session-upload.json").replace("\"tokens_used\":180", "\"tokens_used\":\"many\""), MediaType.APPLICATION_JSON)
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("messages[1].tokens_used");
        upload("{\"conversation\":{},\"conversation\":{}}", MediaType.APPLICATION_JSON).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:malformed-json");
        upload(fixture("session-upload.json") + " []", MediaType.APPLICATION_JSON).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:malformed-json");
        assertNothingStored();
    }

    @Test
    void uploadsPastTheConcurrentLimitAre503WithRetryAfter() {
        Sinks.One<DataBuffer> rest = Sinks.one();
        DefaultDataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        String[] halves = {LOG.substring(0, LOG.length() / 2), LOG.substring(LOG.length() / 2)};
        Flux<DataBuffer> body = Flux.concat(Mono.just(buffers.wrap(halves[0].getBytes(StandardCharsets.UTF_8))), rest.asMono());
        Mono<String> held = WebClient.create("http://127.0.0.1:" + port).post().uri("/api/sessions/upload")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_NDJSON)
                .body(body, DataBuffer.class)
                .retrieve().bodyToMono(String.class)
                .cache();
        held.subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("agentstream.upload.running").gauge().value() == 1);

        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON).expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:uploads-busy");

        rest.tryEmitValue(buffers.wrap(halves[1].getBytes(StandardCharsets.UTF_8)));
        assertThat(held.block(Duration.ofSeconds(20))).contains("\"conversation_id\":\"" + Api.CONVERSATION + "\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("agentstream.upload.running").gauge().value() == 0);
        upload(fixture("session-upload.json"), MediaType.APPLICATION_JSON).expectStatus().isCreated();
        api.assertHealthy();
    }
}
