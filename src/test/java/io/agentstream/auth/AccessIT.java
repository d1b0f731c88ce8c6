package io.agentstream.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class AccessIT {

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    @LocalServerPort
    int port;

    private JsonNode createKey(String name, String... scopes) {
        byte[] body = api.client().post().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name, "scopes", List.of(scopes)))
                .exchange().expectStatus().isCreated()
                .expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }

    private WebTestClient.ResponseSpec ingestWith(WebTestClient client, String key) {
        return client.post().uri("/api/ingest").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json")).exchange();
    }

    @Test
    void aKeyIsCreatedUsedAndRevokedOnEveryInstanceWithinFiveSeconds(CapturedOutput output) {
        JsonNode created = createKey("ci", "ingest");
        String key = created.get("key").asString();
        assertThat(key).matches("ap_live_[A-Za-z0-9_-]{43}");
        assertThat(created.get("prefix").asString()).isEqualTo(key.substring(0, 12));
        assertThat(created.get("scopes").valueStream().map(JsonNode::asString).toList()).containsExactly("ingest");

        ConfigurableApplicationContext other = Instances.start(postgres.url(), Map.of());
        try {
            WebTestClient b = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + Instances.port(other)).build();
            ingestWith(api.client(), key).expectStatus().isOk();
            ingestWith(b, key).expectStatus().isOk();
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> api.single("select last_used_at from api_keys where id = $1", created.get("id").asLong()) != null);

            String listing = new String(api.client().get().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                    .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody(), StandardCharsets.UTF_8);
            assertThat(listing).contains("\"name\":\"ci\"").contains(key.substring(0, 12)).doesNotContain(key);

            api.client().delete().uri("/api/keys/{id}", created.get("id").asLong())
                    .header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange().expectStatus().isNoContent();
            long revokedAt = System.nanoTime();
            ingestWith(api.client(), key).expectStatus().isUnauthorized();
            // Polled with a client that logs nothing: the service's output is what is scanned below.
            org.springframework.web.reactive.function.client.WebClient quiet = org.springframework.web.reactive.function.client.WebClient
                    .create("http://127.0.0.1:" + Instances.port(other));
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> quiet.post().uri("/api/ingest").header("Authorization", "Bearer " + key)
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture("bridge-connected.json"))
                            .exchangeToMono(response -> reactor.core.publisher.Mono.just(response.statusCode().value()))
                            .block(Duration.ofSeconds(5)) == 401);
            System.out.printf("REVOCATION reached the other instance after %d ms%n", (System.nanoTime() - revokedAt) / 1_000_000);
        } finally {
            other.close();
        }
        api.client().delete().uri("/api/keys/999999").header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange()
                .expectStatus().isNotFound();
        assertThat(output.getAll()).doesNotContain(key).doesNotContain(Api.KEY).doesNotContain(Api.SECOND_KEY)
                .doesNotContain(Api.ADMIN_KEY).doesNotContain(Api.TOKEN_SECRET);
    }

    record Endpoint(HttpMethod method, String path, String body, ApiKeyPrincipal.Scope needs) {
    }

    @Test
    void everyEndpointEnforcesItsScope() {
        String ingestOnly = createKey("ingest-only", "ingest").get("key").asString();
        String readOnly = createKey("read-only", "read").get("key").asString();
        String adminOnly = createKey("admin-only", "admin").get("key").asString();
        Map<ApiKeyPrincipal.Scope, String> keyWith = Map.of(ApiKeyPrincipal.Scope.INGEST, ingestOnly,
                ApiKeyPrincipal.Scope.READ, readOnly, ApiKeyPrincipal.Scope.ADMIN, adminOnly);
        List<Endpoint> endpoints = List.of(
                new Endpoint(HttpMethod.POST, "/api/ingest", fixture("bridge-connected.json"), ApiKeyPrincipal.Scope.INGEST),
                new Endpoint(HttpMethod.POST, "/api/sessions/upload", fixture("session-upload.json"), ApiKeyPrincipal.Scope.INGEST),
                new Endpoint(HttpMethod.GET, "/api/events", null, ApiKeyPrincipal.Scope.READ),
                new Endpoint(HttpMethod.GET, "/api/conversations", null, ApiKeyPrincipal.Scope.READ),
                new Endpoint(HttpMethod.GET, "/api/conversations/hist-2026-11-01-a/messages", null, ApiKeyPrincipal.Scope.READ),
                new Endpoint(HttpMethod.GET, "/api/metrics/summary", null, ApiKeyPrincipal.Scope.READ),
                new Endpoint(HttpMethod.POST, "/api/realtime/token", "{}", ApiKeyPrincipal.Scope.READ),
                new Endpoint(HttpMethod.GET, "/api/keys", null, ApiKeyPrincipal.Scope.ADMIN),
                new Endpoint(HttpMethod.POST, "/api/keys", "{\"name\":\"x\",\"scopes\":[\"read\"]}", ApiKeyPrincipal.Scope.ADMIN),
                new Endpoint(HttpMethod.GET, "/actuator/prometheus", null, ApiKeyPrincipal.Scope.ADMIN));
        for (Endpoint endpoint : endpoints) {
            call(endpoint, null).expectStatus().isUnauthorized()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
            call(endpoint, "ap_live_" + "x".repeat(43)).expectStatus().isUnauthorized();
            for (Map.Entry<ApiKeyPrincipal.Scope, String> key : keyWith.entrySet()) {
                WebTestClient.ResponseSpec response = call(endpoint, key.getValue());
                if (key.getKey() == endpoint.needs()) {
                    response.expectStatus().value(status -> assertThat(status).as(endpoint.path()).isBetween(200, 299));
                } else {
                    response.expectStatus().isForbidden()
                            .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:insufficient-scope");
                }
            }
        }
        // The stream, with a read key, and refused otherwise.
        assertThat(new StreamClient(port).streamWithKey(readOnly, null).take(1).blockLast(Duration.ofSeconds(10))).isNotNull();
        api.client().get().uri("/api/realtime/stream").header("Authorization", "Bearer " + ingestOnly).exchange()
                .expectStatus().isForbidden();
        api.assertHealthy();
    }

    private WebTestClient.ResponseSpec call(Endpoint endpoint, String key) {
        WebTestClient.RequestBodySpec request = api.client().method(endpoint.method()).uri(endpoint.path());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (endpoint.body() != null) {
            return request.contentType(MediaType.APPLICATION_JSON).bodyValue(endpoint.body()).exchange();
        }
        return request.exchange();
    }

    private String token(String conversationId) {
        byte[] body = api.client().post().uri("/api/realtime/token").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(conversationId == null ? Map.of() : Map.of("conversation_id", conversationId))
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        JsonNode response = JsonMapper.shared().readTree(body);
        assertThat(Instant.parse(response.get("expires_at").asString())).isAfter(Instant.now().plusSeconds(3500));
        return response.get("token").asString();
    }

    private WebTestClient.ResponseSpec streamWithToken(String token, String query) {
        return api.client().get().uri("/api/realtime/stream?access_token=" + token + (query == null ? "" : "&" + query))
                .accept(MediaType.TEXT_EVENT_STREAM).exchange();
    }

    @Test
    void streamTokensOpenTheStreamUntilTheyExpireAndOnlyForTheirConversation() {
        StreamClient stream = new StreamClient(port);
        String token = token(null);
        assertThat(stream.streamWithQuery("access_token=" + token).take(1).blockLast(Duration.ofSeconds(10))).isNotNull();

        String bound = token("conv-bound");
        assertThat(stream.streamWithQuery("access_token=" + bound + "&conversation_id=conv-bound").take(1)
                .blockLast(Duration.ofSeconds(10))).isNotNull();
        streamWithToken(bound, null).expectStatus().isUnauthorized();
        streamWithToken(bound, "conversation_id=other").expectStatus().isUnauthorized();

        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        streamWithToken(tampered, null).expectStatus().isUnauthorized();
        streamWithToken(forged(Instant.now().minusSeconds(5).getEpochSecond(), Api.TOKEN_SECRET), null).expectStatus().isUnauthorized();
        streamWithToken(forged(Instant.now().plusSeconds(600).getEpochSecond(), "another-secret-0123456789abcdefghij"), null)
                .expectStatus().isUnauthorized();
        assertThat(stream.streamWithQuery("access_token=" + forged(Instant.now().plusSeconds(600).getEpochSecond(), Api.TOKEN_SECRET))
                .take(1).blockLast(Duration.ofSeconds(10))).isNotNull();
        // Tokens open the stream only.
        api.client().get().uri("/api/events?access_token=" + token).exchange().expectStatus().isUnauthorized();
        api.client().post().uri("/api/realtime/token").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("conversation_id", "bad id"))
                .exchange().expectStatus().isBadRequest();
    }

    @Test
    void aStreamTokenStopsOpeningStreamsOnEveryInstanceOnceItsKeyIsRevoked() {
        JsonNode created = createKey("dashboard", "read");
        String key = created.get("key").asString();
        byte[] issued = api.client().post().uri("/api/realtime/token").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of())
                .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
        String token = JsonMapper.shared().readTree(issued).get("token").asString();
        StreamClient stream = new StreamClient(port);
        assertThat(stream.streamWithQuery("access_token=" + token).take(1).blockLast(Duration.ofSeconds(10))).isNotNull();

        ConfigurableApplicationContext other = Instances.start(postgres.url(),
                Map.of("agentstream.auth.stream-token-secret", Api.TOKEN_SECRET));
        try {
            StreamClient b = new StreamClient(Instances.port(other));
            assertThat(b.streamWithQuery("access_token=" + token).take(1)
                    .blockLast(Duration.ofSeconds(10))).isNotNull();

            api.client().delete().uri("/api/keys/{id}", created.get("id").asLong())
                    .header("Authorization", "Bearer " + Api.ADMIN_KEY).exchange().expectStatus().isNoContent();
            streamWithToken(token, null).expectStatus().isUnauthorized();
            long revokedAt = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    b.streamWithQuery("access_token=" + token).take(1).blockLast(Duration.ofSeconds(5));
                    return false;
                } catch (org.springframework.web.reactive.function.client.WebClientResponseException.Unauthorized refused) {
                    return true;
                }
            });
            System.out.printf("TOKEN REVOCATION reached the other instance after %d ms%n", (System.nanoTime() - revokedAt) / 1_000_000);
        } finally {
            other.close();
        }
        // A token whose key id names no key at all (well signed, with the deployment's secret) opens nothing.
        streamWithToken(forged(Instant.now().plusSeconds(600).getEpochSecond(), Api.TOKEN_SECRET, "key-999999"), null)
                .expectStatus().isUnauthorized();
    }

    /** A token signed the documented way: base64url(claims) "." base64url(HMAC-SHA256). */
    private static String forged(long expiresAt, String secret) {
        // The id of the first bootstrap key: "env-" and the first 12 hex digits of its SHA-256.
        try {
            String bootstrapKeyId = "env-" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Api.KEY.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
            return forged(expiresAt, secret, bootstrapKeyId);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String forged(long expiresAt, String secret, String keyId) {
        try {
            Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
            String claims = encoder.encodeToString(("{\"sub\":\"" + keyId + "\",\"exp\":" + expiresAt + "}").getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return claims + "." + encoder.encodeToString(mac.doFinal(claims.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badKeyRequestsAreA400() {
        long keys = api.count("select count(*) from api_keys");
        for (String body : List.of("{}", "{\"name\":\"\",\"scopes\":[\"read\"]}", "{\"name\":\"x\",\"scopes\":[]}",
                "{\"name\":\"x\",\"scopes\":[\"root\"]}")) {
            api.client().post().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:invalid-key-request");
        }
        assertThat(api.count("select count(*) from api_keys")).isEqualTo(keys);
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (String path : List.of("/api/health", "/api/conversations", "/nowhere")) {
            api.client().get().uri(path).exchange()
                    .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                    .expectHeader().valueEquals("X-Frame-Options", "DENY")
                    .expectHeader().valueEquals("Referrer-Policy", "no-referrer")
                    .expectHeader().valueEquals("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
                    .expectHeader().doesNotExist("Strict-Transport-Security");
        }
        // Only a trusted proxy may say the request came over TLS; this context trusts none.
        api.client().get().uri("/api/health").header("X-Forwarded-Proto", "https").exchange()
                .expectHeader().doesNotExist("Strict-Transport-Security");
    }
}
