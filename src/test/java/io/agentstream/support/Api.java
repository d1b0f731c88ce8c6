package io.agentstream.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.test.context.TestComponent;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** What the tests share: the keys, the fixtures, HTTP calls as the CLI makes them, and SQL probes. */
@TestComponent
public class Api {

    public static final String KEY = "test-ingest-key-0123456789abcdef";
    public static final String SECOND_KEY = "test-rotated-key-fedcba9876543210";
    public static final String ADMIN_KEY = "test-admin-key-00112233445566778899";
    public static final String TOKEN_SECRET = "test-stream-token-secret-0123456789abcdef";

    public static final String CONVERSATION = "5b0f3c1e-9a4d-4c2e-8f7a-1d2e3f4a5b6c";

    private final WebTestClient client;
    private final DatabaseClient db;

    private long offsetBase;

    public Api(WebTestClient client, DatabaseClient db) {
        this.client = client.mutate().responseTimeout(Duration.ofSeconds(30)).build();
        this.db = db;
    }

    public WebTestClient client() {
        return client;
    }

    /** The text of a fixture from the AgentPipe CLI (src/test/resources/fixtures/agentpipe). */
    public static String fixture(String name) {
        try {
            return new ClassPathResource("fixtures/agentpipe/" + name).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WebTestClient.ResponseSpec ingest(String json) {
        return ingest(json, MediaType.APPLICATION_JSON);
    }

    public WebTestClient.ResponseSpec ingest(String body, MediaType contentType) {
        return client.post().uri("/api/ingest")
                .header("Authorization", "Bearer " + KEY)
                .contentType(contentType)
                .bodyValue(body)
                .exchange();
    }

    public long count(String sql, Object... args) {
        return number(sql, args).longValue();
    }

    public List<Map<String, Object>> rows(String sql, Object... args) {
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
        for (int i = 0; i < args.length; i++) {
            spec = spec.bind(i, args[i]);
        }
        return spec.fetch().all().collectList().block(Duration.ofSeconds(30));
    }

    public List<Long> numbers(String sql, Object... args) {
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
        for (int i = 0; i < args.length; i++) {
            spec = spec.bind(i, args[i]);
        }
        return spec.map(row -> ((Number) row.get(0)).longValue()).all().collectList().block(Duration.ofSeconds(10));
    }

    public Number number(String sql, Object... args) {
        Object value = single(sql, args);
        return value == null ? null : (Number) value;
    }

    public Object single(String sql, Object... args) {
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
        for (int i = 0; i < args.length; i++) {
            spec = spec.bind(i, args[i]);
        }
        return spec.map(row -> java.util.Optional.ofNullable(row.get(0))).first()
                .block(Duration.ofSeconds(10)).orElse(null);
    }

    public Map<String, Object> row(String sql, Object... args) {
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql);
        for (int i = 0; i < args.length; i++) {
            spec = spec.bind(i, args[i]);
        }
        return spec.fetch().first().block(Duration.ofSeconds(10));
    }

    /**
     * Removes all stored data, so each test starts from an empty store. Offsets keep
     * growing: a running stream never sees an offset go backwards, as in production.
     */
    public void clear() {
        db.sql("truncate conversations, conversation_agents, messages, events cascade")
                .then().block(Duration.ofSeconds(10));
        offsetBase = number("select case when is_called then last_value else last_value - 1 end from event_offsets").longValue();
    }

    /** The offset the n-th event stored since the store was emptied gets (1-based), when no id was skipped. */
    public long offset(int n) {
        return offsetBase + n;
    }

    /**
     * After a test cut the database relay: waits until a query succeeds again, so the pool has
     * dropped the connections that died with the relay before the next test uses it.
     */
    public void awaitDatabase() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
                .ignoreExceptions().until(() -> count("select 1") == 1);
    }

    /** Health says UP within a few seconds (its checks answer for a second, so one may predate a recovery). */
    public void assertHealthy() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(200))
                .untilAsserted(() -> client.get().uri("/api/health").exchange().expectStatus().isOk()
                        .expectBody().jsonPath("$.status").isEqualTo("UP"));
    }

}
