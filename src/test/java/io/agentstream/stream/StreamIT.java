package io.agentstream.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import io.agentstream.support.StreamClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class StreamIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    StreamClient stream;

    @BeforeEach
    void client() {
        stream = new StreamClient(port);
    }

    @Autowired
    PostgresUnderTest postgres;

    @Test
    void aResumeAgainstAnEmptiedLogSaysNotRecovered() {
        // An instance started after these events were stored: its replay ring begins above them.
        stream.ingestMessages(3, 1, List.of("conv-gone")).block(TIMEOUT);
        ConfigurableApplicationContext later = Instances.start(postgres.url(), Map.of());
        try {
            api.clear(); // retention removed everything
            List<ServerSentEvent<String>> frames = new StreamClient(Instances.port(later)).stream(null, "1")
                    .filter(frame -> frame.data() != null).take(1).collectList().block(TIMEOUT);
            assertThat(frames).extracting(ServerSentEvent::data).containsExactly("{\"type\":\"connected\",\"recovered\":false}");
        } finally {
            later.close();
        }
    }

    @Test
    void aStreamStartsWithRetryAndConnectedThenDeliversEventsAsTheDashboardReadsThem() {
        FluxExchangeResult<String> result = api.client().get().uri("/api/realtime/stream")
                .header("Authorization", "Bearer " + Api.KEY)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache, no-transform")
                .expectHeader().valueEquals("X-Accel-Buffering", "no")
                .returnResult(String.class);
        result.getResponseBody().take(1).blockLast(TIMEOUT);

        List<ServerSentEvent<String>> frames = stream.stream(null, null).take(2)
                .doOnNext(frame -> {
                    if (StreamClient.isConnected(frame)) {
                        Schedulers.boundedElastic().schedule(() -> api.ingest(fixture("message-created.json")).expectStatus().isCreated());
                    }
                })
                .collectList().block(TIMEOUT);
        ServerSentEvent<String> connected = frames.get(0);
        assertThat(connected.retry()).isEqualTo(Duration.ofMillis(3000));
        assertThat(connected.data()).isEqualTo("{\"type\":\"connected\",\"recovered\":true}");
        assertThat(connected.event()).isNull();
        assertThat(connected.id()).isNull();
        ServerSentEvent<String> event = frames.get(1);
        long id = api.count("select id from events where type = 'message.created'");
        assertThat(event.id()).isEqualTo(Long.toString(id));
        assertThat(event.event()).isNull();
        assertThat(event.data()).startsWith("{\"event_id\":" + id
                + ",\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07.654321Z\",\"data\":{");
        assertThat(event.data()).contains("\"message_id\": \"0c9d2a7e-3b1f-4e5d-9a8b-7c6d5e4f3a21\"");
    }

    @Autowired
    io.r2dbc.spi.ConnectionFactory connections;

    @Test
    void anEventIsHeldBackWhileALowerOffsetCanStillCommit() {
        io.r2dbc.spi.Connection slow = Mono.from(connections.create()).block(TIMEOUT);
        try {
            Mono.from(slow.beginTransaction()).block(TIMEOUT);
            long lower = Mono.from(slow.createStatement("insert into events (type, occurred_at, dedup_key, payload) "
                            + "values ('log.entry', now(), 'held-open', '{\"type\":\"log.entry\",\"data\":{}}') returning id")
                    .execute()).flatMap(result -> Mono.from(result.map(row -> row.get(0, Long.class)))).block(TIMEOUT);
            var received = stream.events(null, null).take(2).map(frame -> Long.parseLong(frame.id())).collectList().toFuture();
            awaitSubscribers(1);
            long higher = stream.ingestMessage("conv-held", 1, "committed first").block(TIMEOUT);
            assertThat(higher).isGreaterThan(lower);
            // The higher offset is committed, but the lower one may still commit: nothing is delivered.
            org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(TIMEOUT)
                    .until(() -> !received.isDone() && hub.cursor() < lower);
            Mono.from(slow.commitTransaction()).block(TIMEOUT);
            assertThat(received.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join()).containsExactly(lower, higher);
        } finally {
            Mono.from(slow.close()).block(TIMEOUT);
        }
    }

    @Test
    void namedStreamsCarryTheTypeAsEventName() {
        StepVerifier.create(stream.stream("named=true", null))
                .assertNext(connected -> assertThat(connected.event()).isEqualTo("connected"))
                .then(() -> api.ingest(fixture("bridge-connected.json")).expectStatus().isOk())
                .assertNext(event -> assertThat(event.event()).isEqualTo("bridge.connected"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void filtersSelectOneConversationAndSomeTypes() {
        Flux<String> byConversation = stream.events("conversation_id=conv-b", null).map(ServerSentEvent::data).take(2);
        Flux<String> byAlias = stream.events("conversationId=conv-b&types=message.created", null).map(ServerSentEvent::data).take(2);
        Flux<String> byType = stream.events("types=conversation.started,log.entry", null).map(ServerSentEvent::data).take(1);
        var received = Mono.zip(byConversation.collectList(), byAlias.collectList(), byType.collectList()).toFuture();
        awaitSubscribers(3);
        stream.ingestMessage("conv-a", 1, "a").block(TIMEOUT);
        stream.ingestMessage("conv-b", 1, "b1").block(TIMEOUT);
        api.ingest(fixture("log-entry.json")).expectStatus().isOk();
        stream.ingestMessage("conv-b", 2, "b2").block(TIMEOUT);
        var lists = Mono.fromFuture(received).block(TIMEOUT);
        for (List<String> conversationB : List.of(lists.getT1(), lists.getT2())) {
            assertThat(conversationB).hasSize(2).allMatch(data -> data.contains("\"conversation_id\": \"conv-b\""));
            assertThat(conversationB.get(0)).contains("b1");
            assertThat(conversationB.get(1)).contains("b2");
        }
        assertThat(lists.getT3()).singleElement().asString().contains("\"type\":\"log.entry\"");
    }

    @Test
    void aClientThatResumesGetsExactlyWhatItMissedThenLiveEvents() {
        List<ServerSentEvent<String>> seen = stream.events(null, null).take(3)
                .doOnSubscribe(subscription -> Flux.defer(() -> {
                            awaitSubscribers(1);
                            return stream.ingestMessages(3, 1, List.of("conv-r"));
                        }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).subscribe())
                .collectList().block(TIMEOUT);
        String last = seen.getLast().id();
        List<Long> missed = stream.ingestMessages(5, 1, List.of("conv-r")).block(TIMEOUT).stream().sorted().toList();

        StepVerifier.create(stream.stream(null, last).filter(frame -> frame.data() != null))
                .assertNext(connected -> assertThat(connected.data()).isEqualTo("{\"type\":\"connected\",\"recovered\":true}"))
                .assertNext(event -> assertThat(event.id()).isEqualTo(missed.get(0).toString()))
                .assertNext(event -> assertThat(event.id()).isEqualTo(missed.get(1).toString()))
                .assertNext(event -> assertThat(event.id()).isEqualTo(missed.get(2).toString()))
                .assertNext(event -> assertThat(event.id()).isEqualTo(missed.get(3).toString()))
                .assertNext(event -> assertThat(event.id()).isEqualTo(missed.get(4).toString()))
                .then(() -> stream.ingestMessage("conv-r", 99, "live").block(TIMEOUT))
                .assertNext(event -> assertThat(event.data()).contains("live"))
                .thenCancel()
                .verify(TIMEOUT);
        // The same resume through the query parameter, for clients that cannot set headers.
        List<String> viaQuery = stream.events("last_event_id=" + last, null).take(5).map(ServerSentEvent::id)
                .collectList().block(TIMEOUT);
        assertThat(viaQuery).containsExactlyElementsOf(missed.stream().map(String::valueOf).toList());
    }

    @Test
    void earliestReplaysEverythingRetainedAndAnUnknownIdSaysNotRecovered() {
        List<Long> stored = stream.ingestMessages(4, 1, List.of("conv-e")).block(TIMEOUT);
        List<Long> all = stream.events("last_event_id=earliest", null).take(4)
                .map(frame -> Long.parseLong(frame.id())).collectList().block(TIMEOUT);
        assertThat(all).containsExactlyElementsOf(stored.stream().sorted().toList());

        String connected = stream.stream("last_event_id=999999999", null).filter(StreamClient::isConnected)
                .map(ServerSentEvent::data).blockFirst(TIMEOUT);
        assertThat(connected).isEqualTo("{\"type\":\"connected\",\"recovered\":false}");
    }

    @Test
    void eventsCanBePolledAsJsonPages() {
        List<Long> stored = stream.ingestMessages(5, 1, List.of("conv-p")).block(TIMEOUT).stream().sorted().toList();
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        long after = stored.getFirst() - 1;
        awaitSettled(api.count("select max(id) from events"));
        api.client().get().uri("/api/events?after={after}&limit=3&conversation_id=conv-p", after)
                .header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.events.length()").isEqualTo(3)
                .jsonPath("$.events[0].event_id").isEqualTo(stored.get(0).intValue())
                .jsonPath("$.events[0].type").isEqualTo("message.created")
                .jsonPath("$.events[0].data.conversation_id").isEqualTo("conv-p")
                .jsonPath("$.next_after").isEqualTo(stored.get(2).intValue())
                .jsonPath("$.has_more").isEqualTo(true);
        api.client().get().uri("/api/events?after={after}&types=message.created", stored.get(2))
                .header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.events.length()").isEqualTo(2)
                .jsonPath("$.events[1].event_id").isEqualTo(stored.get(4).intValue())
                .jsonPath("$.has_more").isEqualTo(false);
    }

    @Test
    void theStreamAndTheEventsNeedAKey() {
        for (String path : List.of("/api/realtime/stream", "/api/events")) {
            api.client().get().uri(path).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
    }

    @Test
    void badParametersAreRejectedWithAProblemNamingEachOne() {
        api.client().get().uri("/api/realtime/stream?types=message.created,nope&named=yes&last_event_id=abc&conversation_id=a b")
                .header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem:agentstream:invalid-query")
                .jsonPath("$.errors[?(@.field == 'types')].message").value(messages ->
                        assertThat(messages.toString()).contains("nope").contains("session.uploaded"))
                .jsonPath("$.errors[?(@.field == 'named')]").exists()
                .jsonPath("$.errors[?(@.field == 'last_event_id')]").exists()
                .jsonPath("$.errors[?(@.field == 'conversation_id')]").exists();
        api.client().get().uri("/api/realtime/stream")
                .header("Authorization", "Bearer " + Api.KEY).header("Last-Event-ID", "-5").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("Last-Event-ID");
        api.client().get().uri("/api/events?after=-1&limit=0&types=")
                .header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.errors[?(@.field == 'after')]").exists()
                .jsonPath("$.errors[?(@.field == 'limit')]").exists()
                .jsonPath("$.errors[?(@.field == 'types')]").exists();
        api.client().get().uri("/api/events?limit=1001&conversation_id=x&conversationId=y")
                .header("Authorization", "Bearer " + Api.KEY).exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.errors[?(@.field == 'limit')]").exists()
                .jsonPath("$.errors[?(@.field == 'conversation_id')]").exists();
        api.assertHealthy();
    }

    @Autowired
    ConnectionRegistry registry;

    @Autowired
    StreamHub hub;

    @Test
    void connectingAndDisconnectingAThousandTimesLeavesNothingBehind() {
        int connected = 0;
        for (int i = 0; i < 1000; i++) {
            // The connect rate (SSE_MAX_CONNECTS_PER_SECOND) may turn some away: they must not leak either.
            connected += stream.stream(null, null).take(1).count()
                    .onErrorResume(org.springframework.web.reactive.function.client.WebClientResponseException.ServiceUnavailable.class,
                            rejected -> reactor.core.publisher.Mono.just(0L))
                    .block(TIMEOUT) > 0 ? 1 : 0;
        }
        assertThat(connected).isGreaterThan(500);
        org.awaitility.Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(registry.open()).isZero();
            assertThat(registry.clientsTracked()).isZero();
            assertThat(hub.subscriberCount()).isZero();
        });
        api.client().get().uri("/api/health").exchange().expectBody().jsonPath("$.sse_connections").isEqualTo(0);
    }

    private void awaitSubscribers(int count) {
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> hub.subscriberCount() >= count);
    }

    private void awaitSettled(long offset) {
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> hub.cursor() >= offset);
    }
}
