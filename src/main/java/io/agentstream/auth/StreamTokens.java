package io.agentstream.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.event.IngestJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Short-lived tokens for browsers, whose EventSource cannot send an Authorization header:
 * {@code base64url(claims).base64url(HMAC-SHA256(claims))}, with the claims
 * {@code {"sub", "exp", "cid"?}}. A token grants read on the stream only, until it
 * expires, and, when bound, for one conversation only.
 */
@Component
public class StreamTokens {

    private static final Logger log = LoggerFactory.getLogger(StreamTokens.class);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** An issued token and when it stops working. */
    public record Issued(String token, Instant expiresAt) {
    }

    private final SecretKeySpec key;
    private final java.time.Duration ttl;
    private final Clock clock;

    @Autowired
    StreamTokens(AuthProperties properties) {
        this(properties, Clock.systemUTC());
    }

    StreamTokens(AuthProperties properties, Clock clock) {
        byte[] secret;
        if (properties.streamTokenSecret() != null) {
            secret = properties.streamTokenSecret().getBytes(StandardCharsets.UTF_8);
        } else {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            log.warn("STREAM_TOKEN_SECRET is not set: stream tokens work only on the instance that issued them");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.ttl = properties.streamTokenTtl();
        this.clock = clock;
    }

    public Issued issue(ApiKeyPrincipal principal, String conversationId) {
        Instant expires = clock.instant().plus(ttl);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", principal.id());
        claims.put("exp", expires.getEpochSecond());
        if (conversationId != null) {
            claims.put("cid", conversationId);
        }
        String body = ENCODER.encodeToString(IngestJson.MAPPER.writeValueAsBytes(claims));
        return new Issued(body + "." + ENCODER.encodeToString(sign(body)), expires);
    }

    /** The principal a valid, unexpired token stands for; empty when tampered, malformed or expired. */
    Optional<ApiKeyPrincipal> verify(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || token.length() > 2048) {
            return Optional.empty();
        }
        String body = token.substring(0, dot);
        try {
            byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, sign(body))) {
                return Optional.empty();
            }
            JsonNode claims = IngestJson.MAPPER.readTree(Base64.getUrlDecoder().decode(body));
            if (claims.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
                return Optional.empty();
            }
            String conversation = claims.hasNonNull("cid") ? claims.get("cid").asString() : null;
            return Optional.of(new ApiKeyPrincipal(claims.path("sub").asString("token"), "stream-token",
                    EnumSet.of(Scope.READ), conversation));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private byte[] sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM provides HmacSHA256", e);
        }
    }
}
