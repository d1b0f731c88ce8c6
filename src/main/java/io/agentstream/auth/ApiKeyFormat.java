package io.agentstream.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Keys are {@code ap_live_} and 43 base64url characters (32 random bytes). A key this
 * random needs no slow hash: its SHA-256 is stored, and lookups are by hash. The prefix
 * ({@code ap_live_} and 4 characters) is shown in listings so people can tell keys apart.
 */
final class ApiKeyFormat {

    static final String PREFIX = "ap_live_";
    private static final Pattern FORMAT = Pattern.compile("ap_live_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static boolean looksLikeStoredKey(String key) {
        return FORMAT.matcher(key).matches();
    }

    static String displayPrefix(String key) {
        return key.substring(0, PREFIX.length() + 4);
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }
}
