package io.agentstream.conversation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Signs the page cursors handed to clients, so that a cursor is only ever one this API
 * issued for this very list: an edited, truncated or forged cursor (or one of another list)
 * is a 400, and nothing a client invents reaches a query. The text is
 * base64url(cursor) "." base64url(first 16 bytes of HMAC-SHA256(scope, cursor)), where the
 * scope names the list ({@code conversations}, or {@code messages:<conversation id>}).
 *
 * <p>The key is derived from STREAM_TOKEN_SECRET, so every instance of a deployment accepts
 * every other's cursors; without it, from a random secret of this instance (a cursor then
 * works only on the instance that issued it, like a stream token).
 */
@Component
class CursorCodec {

    private static final int TAG_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** Issued cursors are far shorter; longer text is refused before any decoding. */
    static final int MAX_LENGTH = 512;

    private final SecretKeySpec key;

    CursorCodec(@Value("${agentstream.auth.stream-token-secret:}") String secret) {
        byte[] base;
        if (secret == null || secret.isBlank()) {
            base = new byte[32];
            new SecureRandom().nextBytes(base);
        } else {
            base = secret.strip().getBytes(StandardCharsets.UTF_8);
        }
        // Its own key, so a cursor's tag can never pass for a stream token's signature.
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(base, "HmacSHA256"),
                "agentstream page cursor v1".getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
    }

    String encode(PageCursor cursor, String scope) {
        byte[] body = cursor.toBytes();
        return ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(tag(scope, body));
    }

    /** The cursor, or null when the text is not one this API issued for this scope. */
    PageCursor decode(String text, String scope) {
        if (text == null || text.length() > MAX_LENGTH) {
            return null;
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || dot != text.lastIndexOf('.')) {
            return null;
        }
        byte[] body;
        byte[] presented;
        try {
            body = DECODER.decode(text.substring(0, dot));
            presented = DECODER.decode(text.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Re-encoding must give the very text: base64 admits several spellings of the last character.
        if (!MessageDigest.isEqual(tag(scope, body), presented) || !text.equals(ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(presented))) {
            return null;
        }
        return PageCursor.fromBytes(body);
    }

    private byte[] tag(String scope, byte[] body) {
        byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(4 + scopeBytes.length + body.length)
                .putInt(scopeBytes.length).put(scopeBytes).put(body);
        return Arrays.copyOf(hmac(key, message.array()), TAG_BYTES);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
