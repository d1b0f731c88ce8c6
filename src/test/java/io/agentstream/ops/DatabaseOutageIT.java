package io.agentstream.ops;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.TcpProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

/**
 * PostgreSQL unreachable (the relay between service and database is cut): ingest answers
 * 503 with Retry-After, so the CLI retries, and health says DOWN; once the database is
 * back, the same requests succeed without a restart.
 */
@IntegrationTest
@TestPropertySource(properties = "agentstream.test.database-proxy=true")
class DatabaseOutageIT {

    @Autowired
    Api api;

    @Autowired
    TcpProxy databaseProxy;

    @AfterEach
    void reconnect() throws Exception {
        databaseProxy.restore();
    }

    @Test
    void anUnreachableDatabaseIs503WithRetryAfterAndRecovers() throws Exception {
        api.ingest(fixture("conversation-started.json")).expectStatus().isCreated();

        databaseProxy.cut();

        api.ingest(fixture("message-created.json"))
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "2")
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:problem:agentstream:database-unavailable")
                .jsonPath("$.status").isEqualTo(503);
        // Health's checks answer for a second: the outage shows within one round (plus the check's timeout).
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                api.client().get().uri("/api/health").exchange()
                        .expectStatus().isEqualTo(503)
                        .expectBody().jsonPath("$.status").isEqualTo("DOWN").jsonPath("$.database.status").isEqualTo("DOWN"));

        databaseProxy.restore();

        // What the CLI does: retry the same event until it is acknowledged.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                api.ingest(fixture("message-created.json")).expectStatus().isCreated());
        api.assertHealthy();
        assertThat(api.count("select count(*) from messages")).isEqualTo(1);
        assertThat(api.count("select message_count from conversations")).isEqualTo(1);
    }

    @Test
    void anUnknownKeyIsRefusedWithoutAskingTheDatabase() throws Exception {
        databaseProxy.cut();
        // Keys in the stored format that no one issued: answered from the instance's set of active
        // keys (and a few a second looked up, which fails here), so with the database unreachable
        // they are still 401, never 503.
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int i = 0; i < 10; i++) {
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            String made = "ap_live_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            api.client().get().uri("/api/conversations").header("Authorization", "Bearer " + made).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        databaseProxy.restore();
        // The pool's connections died with the relay: the next test class on this context gets a working one.
        api.awaitDatabase();
    }
}
