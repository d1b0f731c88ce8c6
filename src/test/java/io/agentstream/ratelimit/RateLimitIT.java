package io.agentstream.ratelimit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.RedisUnderTest;
import io.agentstream.support.TcpProxy;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits with Redis (reached through a proxy the test can cut), shared by two
 * instances; brute-force throttling; CORS; HSTS behind a trusted proxy.
 */
@IntegrationTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitIT {

    static final String PREFIX = RedisUnderTest.uniquePrefix();
    static final TcpProxy REDIS = proxy();

    static TcpProxy proxy() {
        URI redis = URI.create(RedisUnderTest.url());
        try {
            return new TcpProxy(redis.getHost(), redis.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final Map<String, Object> SETTINGS = Map.of(
            "agentstream.redis.url", "redis://127.0.0.1:" + REDIS.port(),
            "agentstream.redis.key-prefix", PREFIX,
            "agentstream.rate-limit.enabled", "true",
            "agentstream.rate-limit.read", "5",
            "agentstream.rate-limit.auth-failures", "3",
            "agentstream.rate-limit.health", "5",
            "agentstream.http.trusted-proxies", "127.0.0.1,::1",
            "agentstream.http.allowed-origins", "https://dash.example.com");

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        SETTINGS.forEach((name, value) -> registry.add(name, () -> value));
    }

    @AfterAll
    static void closeProxy() throws Exception {
        REDIS.close();
    }

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    private static EntityExchangeResult<byte[]> read(WebTestClient client, String forwardedFor) {
        return client.get().uri("/api/conversations").header("Authorization", "Bearer " + Api.SECOND_KEY)
                .header("X-Forwarded-For", forwardedFor).exchange().expectBody().returnResult();
    }

    @Test
    @Order(1)
    void aLimitIsSharedByAllInstancesAndAnnouncedInHeaders() {
        ConfigurableApplicationContext other = Instances.start(postgres.url(), SETTINGS);
        try {
            WebTestClient b = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + Instances.port(other)).build();
            List<String> remaining = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                EntityExchangeResult<byte[]> result = read(i % 2 == 0 ? api.client() : b, "10.1.0.1");
                assertThat(result.getStatus().value()).isEqualTo(200);
                assertThat(result.getResponseHeaders().getFirst("RateLimit-Limit")).isEqualTo("5");
                assertThat(Long.parseLong(result.getResponseHeaders().getFirst("RateLimit-Reset"))).isBetween(1L, 60L);
                remaining.add(result.getResponseHeaders().getFirst("RateLimit-Remaining"));
            }
            assertThat(remaining).containsExactly("4", "3", "2", "1", "0");
            for (WebTestClient client : List.of(api.client(), b)) {
                EntityExchangeResult<byte[]> refused = read(client, "10.1.0.1");
                assertThat(refused.getStatus().value()).isEqualTo(429);
                assertThat(refused.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
                assertThat(Long.parseLong(refused.getResponseHeaders().getFirst("Retry-After"))).isBetween(1L, 60L);
                assertThat(refused.getResponseHeaders().getFirst("RateLimit-Remaining")).isEqualTo("0");
                assertThat(new String(refused.getResponseBody())).contains("urn:problem:agentstream:rate-limited");
            }
            // The key's own bucket is empty too: another address with the same key is refused.
            assertThat(read(b, "10.1.0.2").getStatus().value()).isEqualTo(429);
        } finally {
            other.close();
        }
    }

    @Test
    @Order(2)
    void aRevocationReachesTheOtherInstanceAtOnceThroughRedis() {
        ConfigurableApplicationContext other = Instances.start(postgres.url(), SETTINGS);
        try {
            WebTestClient b = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + Instances.port(other)).build();
            byte[] body = api.client().post().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                    .header("X-Forwarded-For", "10.4.0.1")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "broadcast", "scopes", List.of("ingest")))
                    .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
            var created = tools.jackson.databind.json.JsonMapper.shared().readTree(body);
            String key = created.get("key").asString();
            org.springframework.web.reactive.function.client.WebClient quiet =
                    org.springframework.web.reactive.function.client.WebClient.create("http://127.0.0.1:" + Instances.port(other));
            java.util.function.Supplier<Integer> ingestOnB = () -> quiet.post().uri("/api/ingest")
                    .header("Authorization", "Bearer " + key).header("X-Forwarded-For", "10.4.0.2")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json"))
                    .exchangeToMono(response -> reactor.core.publisher.Mono.just(response.statusCode().value()))
                    .block(java.time.Duration.ofSeconds(5));
            // Created on A a moment ago: B takes it at once, whether or not it has heard of it yet
            // (the CLI does not retry a 401, so a refusal here would be an event lost).
            assertThat(ingestOnB.get()).isEqualTo(200);
            api.client().delete().uri("/api/keys/{id}", created.get("id").asLong())
                    .header("Authorization", "Bearer " + Api.ADMIN_KEY).header("X-Forwarded-For", "10.4.0.1")
                    .exchange().expectStatus().isNoContent();
            long revokedAt = System.nanoTime();
            // Well inside the 4 s cache lifetime: only the broadcast can have told B.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMillis(1500))
                    .pollInterval(java.time.Duration.ofMillis(50)).until(() -> ingestOnB.get() == 401);
            System.out.printf("REVOCATION over Redis reached the other instance after %d ms%n",
                    (System.nanoTime() - revokedAt) / 1_000_000);
        } finally {
            other.close();
        }
    }

    /** Last: afterwards this instance keeps its buckets locally until Redis answers again. */
    @Test
    @Order(Integer.MAX_VALUE)
    void withRedisGoneLimitsFallBackToTheInstanceAndIngestGoesOn() throws IOException {
        REDIS.cut();
        try {
            for (int i = 0; i < 3; i++) {
                api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                        .header("X-Forwarded-For", "10.2.0.1")
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("message-created.json"))
                        .exchange().expectStatus().isCreated()
                        .expectHeader().exists("RateLimit-Remaining");
            }
            api.client().get().uri("/api/health").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.status").isEqualTo("DEGRADED")
                    .jsonPath("$.rate_limits").isEqualTo("local-fallback");
        } finally {
            REDIS.restore();
        }
    }

    @Test
    void healthIsLimitedPerAddressAndItsChecksAreSharedWithinASecond() {
        List<Object> checkedAt = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            Map<?, ?> body = api.client().get().uri("/api/health").header("X-Forwarded-For", "10.9.0.1")
                    .exchange().expectStatus().isOk().expectHeader().valueEquals("RateLimit-Limit", "5")
                    .expectBody(Map.class).returnResult().getResponseBody();
            checkedAt.add(body.get("checked_at"));
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        api.client().get().uri("/api/health").header("X-Forwarded-For", "10.9.0.1").exchange()
                .expectStatus().isEqualTo(429).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists("Retry-After");
        // Only that address: another one is answered.
        api.client().get().uri("/api/health").header("X-Forwarded-For", "10.9.0.2").exchange().expectStatus().isOk();
        // The requests share their checks: a round answers for a second, so five requests within
        // S seconds saw at most S + 1 rounds (five, uncached).
        assertThat(checkedAt.stream().distinct().count()).as("check rounds in %s over %s s", checkedAt, seconds)
                .isBetween(1L, Math.min(4L, seconds + 1));
    }

    @Test
    void badKeysFromOneAddressAreThrottledButAValidKeyFromTheSameAddressIsNot() {
        for (int i = 0; i < 3; i++) {
            api.client().get().uri("/api/events").header("Authorization", "Bearer wrong-key-" + i + "-0000000000")
                    .header("X-Forwarded-For", "10.3.0.1").exchange().expectStatus().isUnauthorized();
        }
        for (int i = 0; i < 100; i++) {
            api.client().get().uri("/api/events").header("Authorization", "Bearer wrong-key-x-0000000000")
                    .header("X-Forwarded-For", "10.3.0.1").exchange()
                    .expectStatus().isEqualTo(429)
                    .expectHeader().exists("Retry-After")
                    .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:too-many-auth-failures");
        }
        // Behind one proxy every client shares an address: a stranger's failures must not lock out a valid key.
        api.client().post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                .header("X-Forwarded-For", "10.3.0.1")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("message-created.json"))
                .exchange().expectStatus().isCreated();
        api.client().get().uri("/api/events").header("Authorization", "Bearer " + Api.KEY)
                .header("X-Forwarded-For", "10.3.0.1").exchange().expectStatus().isOk();
        // Missing keys are failures too, and still throttled.
        api.client().get().uri("/api/events").header("X-Forwarded-For", "10.3.0.1").exchange()
                .expectStatus().isEqualTo(429).expectHeader().exists("Retry-After");
        api.client().get().uri("/api/events").header("Authorization", "Bearer wrong-key-y-0000000000")
                .header("X-Forwarded-For", "10.3.0.2").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void corsAllowsOnlyTheConfiguredOrigins() {
        api.client().options().uri("/api/conversations")
                .header("Origin", "https://dash.example.com")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://dash.example.com");
        api.client().options().uri("/api/conversations")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist("Access-Control-Allow-Origin");
        api.client().method(HttpMethod.GET).uri("/api/health").header("Origin", "https://dash.example.com").exchange()
                .expectHeader().valueEquals("Access-Control-Allow-Origin", "https://dash.example.com");
    }

    @Test
    void hstsIsSentWhenATrustedProxySaysTheRequestCameOverTls() {
        api.client().get().uri("/api/health").header("X-Forwarded-Proto", "https").exchange()
                .expectHeader().valueEquals("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
}
