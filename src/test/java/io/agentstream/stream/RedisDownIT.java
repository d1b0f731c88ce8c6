package io.agentstream.stream;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** REDIS_URL points at a port where nothing listens: the instance keeps ingesting and streaming. */
@IntegrationTest
class RedisDownIT {

    @DynamicPropertySource
    static void unreachableRedis(DynamicPropertyRegistry registry) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        registry.add("agentstream.redis.url", () -> "redis://127.0.0.1:" + closedPort);
        // A start without Redis stops with one line (StartupErrorsIT); this is the outage of a running instance.
        registry.add("agentstream.redis.startup-check", () -> "false");
    }

    @Autowired
    Api api;

    @Autowired
    StreamHub hub;

    @LocalServerPort
    int port;

    @Test
    void ingestAndTheLiveStreamKeepWorkingAndHealthSaysDegraded() {
        StreamClient stream = new StreamClient(port);
        CompletableFuture<List<Long>> received = stream.events(null, null).take(20)
                .map(frame -> Long.parseLong(frame.id())).collectList().toFuture();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.subscriberCount() == 1);
        List<Long> stored = stream.ingestMessages(20, 4, List.of("no-redis")).block(Duration.ofSeconds(20));
        assertThat(received.orTimeout(10, TimeUnit.SECONDS).join()).containsExactlyElementsOf(stored.stream().sorted().toList());
        api.client().get().uri("/api/health").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("DEGRADED")
                .jsonPath("$.database.status").isEqualTo("UP")
                .jsonPath("$.redis.status").isEqualTo("DOWN");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("agentstream.redis.up").gauge().value() == 0);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;
}
