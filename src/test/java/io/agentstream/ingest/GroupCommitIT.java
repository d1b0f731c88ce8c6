package io.agentstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Group commit seen from the API: concurrent requests share transactions, a retry in the
 * same transaction as its original is still one event, a batch request keeps its order,
 * and a full queue refuses at once with a retryable 503 while nothing acknowledged is lost.
 */
@IntegrationTest
class GroupCommitIT {

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    static WebClient client(int port) {
        return WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + Api.KEY).build();
    }

    private WebClient client() {
        return client(port);
    }

    static String message(String conversation, String messageId, int tokens) {
        return "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":{\"conversation_id\":\""
                + conversation + "\",\"message_id\":\"" + messageId + "\",\"agent_type\":\"claude\",\"content\":\"hello "
                + messageId + "\",\"tokens_used\":" + tokens + ",\"cost\":0.001}}";
    }

    /** Status and body of each request, sent all at once. */
    private List<Answer> sendConcurrently(List<String> bodies) {
        return Flux.fromIterable(bodies)
                .flatMapSequential(body -> send(client(), body), bodies.size())
                .collectList()
                .block(Duration.ofSeconds(60));
    }

    private double metric(String name) {
        return metric(api, name);
    }

    record Answer(int status, Map<String, Object> body, String retryAfter) {
    }

    static double metric(Api api, String name) {
        // A context shared by many test classes exports many series: read the scrape whole.
        String text = new String(api.client().mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build().get().uri("/actuator/prometheus").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(text);
        assertThat(value.find()).as("metric %s is exported", name).isTrue();
        return Double.parseDouble(value.group(2));
    }

    @Test
    void concurrentRequestsShareTransactionsAndEveryOneIsStoredOnce() {
        double transactionsBefore = metric("agentstream_ingest_commit_events_count");
        int requests = 60;
        // Six conversations, so that transactions lock several rows; every request is a new message.
        List<String> bodies = IntStream.range(0, requests)
                .mapToObj(i -> message("group-" + (i % 6), "m-" + i, 10 + i)).toList();

        List<Answer> answers = sendConcurrently(bodies);

        assertThat(answers).extracting(Answer::status).containsOnly(201);
        List<Long> offsets = answers.stream().map(a -> ((Number) a.body().get("event_id")).longValue()).toList();
        assertThat(offsets).doesNotHaveDuplicates();
        assertThat(api.numbers("select id from events order by id")).containsExactlyInAnyOrderElementsOf(offsets);
        assertThat(api.count("select count(*) from messages")).isEqualTo(requests);
        assertThat(api.count("select sum(message_count) from conversations")).isEqualTo(requests);
        assertThat(api.count("select sum(tokens_used) from conversations"))
                .isEqualTo(IntStream.range(0, requests).map(i -> 10 + i).sum());
        // Sixty requests at once for two writers: fewer transactions than events means they were shared.
        double transactions = metric("agentstream_ingest_commit_events_count") - transactionsBefore;
        assertThat(transactions).isGreaterThan(0).isLessThan(requests);
        assertThat(metric("agentstream_ingest_commit_events_max")).isGreaterThan(1);
        api.assertHealthy();
    }

    @Test
    void aRetryCommittedWithItsOriginalIsOneEvent() {
        String body = message("group-retry", "m-retried", 42);
        List<Answer> answers = sendConcurrently(java.util.Collections.nCopies(20, body));

        assertThat(answers).extracting(Answer::status).containsOnly(201);
        assertThat(answers).filteredOn(a -> !Boolean.TRUE.equals(a.body().get("duplicate"))).hasSize(1);
        assertThat(answers).extracting(a -> a.body().get("event_id")).containsOnly(answers.getFirst().body().get("event_id"));
        assertThat(api.count("select count(*) from events")).isEqualTo(1);
        assertThat(api.row("select message_count, tokens_used from conversations where id = 'group-retry'"))
                .containsEntry("message_count", 1L).containsEntry("tokens_used", 42L);
    }

    @Test
    void aBatchRequestKeepsItsOrder() {
        String started = Api.fixture("conversation-started.json").replace("\n", "");
        String completed = Api.fixture("conversation-completed.json").replace("\n", "");
        StringBuilder ndjson = new StringBuilder(started).append('\n');
        IntStream.range(0, 8).forEach(i -> ndjson.append(message(Api.CONVERSATION, "ordered-" + i, 1)).append('\n'));
        ndjson.append(completed).append('\n');

        Map<String, Object> body = api.ingest(ndjson.toString(), MediaType.APPLICATION_NDJSON).expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();

        List<Map<String, Object>> results = (List<Map<String, Object>>) body.get("results");
        assertThat(results).hasSize(10);
        List<Long> offsets = results.stream().map(r -> ((Number) r.get("event_id")).longValue()).toList();
        assertThat(offsets).isSorted().doesNotHaveDuplicates();
        assertThat(api.single("select status from conversations where id = $1", Api.CONVERSATION)).isEqualTo("COMPLETED");
    }

    static Mono<Answer> send(WebClient client, String body) {
        return client.post().uri("/api/ingest").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchangeToMono(response -> response.bodyToMono(Map.class)
                        .map(map -> new Answer(response.statusCode().value(), (Map<String, Object>) map,
                                response.headers().asHttpHeaders().getFirst("Retry-After"))));
    }
}
