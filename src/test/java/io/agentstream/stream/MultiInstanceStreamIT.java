package io.agentstream.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.RedisUnderTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one PostgreSQL and one Redis. Their polls are set to an hour, so an
 * event reaches the other instance's subscribers only through the Redis wake-up.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiInstanceStreamIT {

    private static final String PREFIX = RedisUnderTest.uniquePrefix();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("agentstream.redis.url", RedisUnderTest::url);
        registry.add("agentstream.redis.key-prefix", () -> PREFIX);
        registry.add("agentstream.stream.poll-interval", () -> "1h");
    }

    @Autowired
    PostgresUnderTest postgres;

    @LocalServerPort
    int port;

    ConfigurableApplicationContext other;

    @BeforeAll
    void startSecondInstance() {
        other = Instances.start(postgres.url(), Map.of(
                "agentstream.redis.url", RedisUnderTest.url(),
                "agentstream.redis.key-prefix", PREFIX,
                "agentstream.stream.poll-interval", "1h"));
    }

    @AfterAll
    void stopSecondInstance() {
        other.close();
    }

    @Autowired
    io.agentstream.support.Api api;

    @Test
    void aRevokedKeysStreamsEndOnEveryInstanceWithALastNotice() {
        byte[] body = api.client().post().uri("/api/keys").header("Authorization", "Bearer " + io.agentstream.support.Api.ADMIN_KEY)
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "dashboard", "scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        tools.jackson.databind.JsonNode created = tools.jackson.databind.json.JsonMapper.shared().readTree(body);
        String key = created.get("key").asString();
        String token = tools.jackson.databind.json.JsonMapper.shared().readTree(api.client().post().uri("/api/realtime/token")
                .header("Authorization", "Bearer " + key).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .bodyValue(Map.of()).exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody())
                .get("token").asString();
        StreamHub there = other.getBean(StreamHub.class);
        int hereBefore = hub.subscriberCount();
        int thereBefore = there.subscriberCount();
        // The key directly on the other instance, its stream token here, and a configured key that stays.
        CompletableFuture<List<String>> withKey = new StreamClient(Instances.port(other)).streamWithKey(key, null)
                .filter(frame -> frame.data() != null).map(frame -> frame.data()).collectList().toFuture();
        CompletableFuture<List<String>> withToken = new StreamClient(port).streamWithQuery("access_token=" + token)
                .filter(frame -> frame.data() != null).map(frame -> frame.data()).collectList().toFuture();
        StreamClient configured = new StreamClient(port);
        CompletableFuture<List<String>> staying = configured.stream(null, null)
                .filter(frame -> frame.data() != null).map(frame -> frame.data()).take(Duration.ofSeconds(30)).collectList().toFuture();
        Awaitility.await().atMost(TIMEOUT).until(() -> there.subscriberCount() == thereBefore + 1
                && hub.subscriberCount() == hereBefore + 2);

        api.client().delete().uri("/api/keys/{id}", created.get("id").asLong())
                .header("Authorization", "Bearer " + io.agentstream.support.Api.ADMIN_KEY).exchange().expectStatus().isNoContent();
        long revokedAt = System.nanoTime();

        for (CompletableFuture<List<String>> ended : List.of(withKey, withToken)) {
            List<String> frames = ended.orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(frames.getLast()).startsWith("{\"type\":\"key_revoked\"");
        }
        System.out.printf("REVOKED KEY'S STREAMS ended on both instances %d ms after the revocation%n",
                (System.nanoTime() - revokedAt) / 1_000_000);
        assertThat(staying).isNotDone();
        assertThat(hub.subscriberCount()).isEqualTo(hereBefore + 1);
        assertThat(there.subscriberCount()).isEqualTo(thereBefore);
        staying.cancel(true);
    }

    @Test
    void anEventIngestedOnOneInstanceReachesSubscribersOfTheOtherInOrder() {
        check(new StreamClient(port), new StreamClient(Instances.port(other)), other.getBean(StreamHub.class));
    }

    @Test
    void andTheOtherWayRound() {
        check(new StreamClient(Instances.port(other)), new StreamClient(port), null);
    }

    @Autowired
    StreamHub hub;

    private void check(StreamClient ingestOn, StreamClient subscribeOn, StreamHub subscriberHub) {
        StreamHub receivingHub = subscriberHub == null ? hub : subscriberHub;
        int before = receivingHub.subscriberCount();
        CompletableFuture<List<Long>> received = subscribeOn.events(null, null).take(100)
                .map(frame -> Long.parseLong(frame.id())).collectList().toFuture();
        Awaitility.await().atMost(TIMEOUT).until(() -> receivingHub.subscriberCount() > before);
        List<Long> stored = ingestOn.ingestMessages(100, 8, List.of("multi-a", "multi-b")).block(TIMEOUT);
        assertThat(received.orTimeout(10, TimeUnit.SECONDS).join())
                .isSorted()
                .containsExactlyElementsOf(stored.stream().sorted().toList());
    }
}
