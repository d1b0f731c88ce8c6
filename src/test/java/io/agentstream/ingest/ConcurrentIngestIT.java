package io.agentstream.ingest;

import static io.agentstream.support.Api.CONVERSATION;
import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** Totals stay exact when many writers, and their retries, hit one conversation at once. */
@IntegrationTest
class ConcurrentIngestIT {

    static final int WRITERS = 50;

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Test
    void fiftyConcurrentWritersWithRetriesGiveExactTotals() {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + Api.KEY).build();
        String template = "{\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:09Z\",\"data\":"
                + "{\"conversation_id\":\"" + CONVERSATION + "\",\"message_id\":\"msg-%d\",\"agent_type\":\"claude\","
                + "\"content\":\"message %d\",\"sequence_number\":%d,\"turn_number\":%d,"
                + "\"tokens_used\":%d,\"input_tokens\":%d,\"output_tokens\":%d,\"cost\":0.00%d1,\"duration_ms\":%d}}";
        // Every message is sent twice at the same time, as a CLI retry racing its original would.
        List<String> bodies = IntStream.range(0, WRITERS)
                .mapToObj(i -> template.formatted(i, i, i, i / 2, 100 + i, 60 + i, 40, i, 1000 + i))
                .flatMap(body -> List.of(body, body).stream())
                .toList();

        List<Map<String, Object>> answers = Flux.fromIterable(bodies)
                .flatMap(body -> client.post().uri("/api/ingest").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body)
                        .exchangeToMono(response -> {
                            assertThat(response.statusCode()).isEqualTo(HttpStatus.CREATED);
                            return response.bodyToMono(Map.class).map(m -> (Map<String, Object>) m);
                        }), bodies.size())
                .collectList()
                .block(Duration.ofSeconds(60));

        assertThat(answers).hasSize(2 * WRITERS);
        assertThat(answers.stream().filter(a -> Boolean.TRUE.equals(a.get("duplicate")))).hasSize(WRITERS);

        long expectedTokens = IntStream.range(0, WRITERS).mapToLong(i -> 100 + i).sum();
        long expectedInput = IntStream.range(0, WRITERS).mapToLong(i -> 60 + i).sum();
        long expectedDuration = IntStream.range(0, WRITERS).mapToLong(i -> 1000 + i).sum();
        BigDecimal expectedCost = IntStream.range(0, WRITERS)
                .mapToObj(i -> new BigDecimal("0.00" + i + "1")).reduce(BigDecimal.ZERO, BigDecimal::add);

        Map<String, Object> totals = api.row("select * from conversations where id = $1", CONVERSATION);
        assertThat(totals)
                .containsEntry("message_count", (long) WRITERS)
                .containsEntry("tokens_used", expectedTokens)
                .containsEntry("input_tokens", expectedInput)
                .containsEntry("output_tokens", 40L * WRITERS)
                .containsEntry("messages_duration_ms", expectedDuration)
                .containsEntry("max_turn_number", (WRITERS - 1) / 2);
        assertThat((BigDecimal) totals.get("cost")).isEqualByComparingTo(expectedCost);
        assertThat(api.count("select count(*) from messages")).isEqualTo(WRITERS);
        assertThat(api.count("select count(*) from events")).isEqualTo(WRITERS);
        // The stored totals agree with the stored messages.
        assertThat(api.count("select sum(tokens_used) from messages")).isEqualTo(expectedTokens);
    }

    @Test
    void concurrentStartedAndMessagesNeverFailOnOrder() {
        List<String> bodies = List.of(fixture("message-created.json"), fixture("conversation-started.json"),
                fixture("message-created-minimal.json"), fixture("log-entry.json"),
                fixture("conversation-completed.json"), fixture("conversation-started.json"));
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader("Authorization", "Bearer " + Api.KEY).build();
        List<Integer> statuses = Flux.fromIterable(bodies)
                .flatMap(body -> client.post().uri("/api/ingest").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), bodies.size())
                .collectList().block(Duration.ofSeconds(30));
        assertThat(statuses).allMatch(status -> status == 200 || status == 201);
        assertThat(api.row("select is_placeholder, message_count from conversations"))
                .containsEntry("is_placeholder", false).containsEntry("message_count", 2L);
    }
}
