package io.agentstream.load;

import java.time.Duration;
import java.util.UUID;

import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * What every simulation reads from system properties ({@code -Dname=value}, passed through by
 * the Gatling Maven plugin): where the service is, the key, and the sizes of the load.
 */
final class Settings {

    /** The run's mark in every conversation id, so a run's data can be found (and told from another run's). */
    static final String RUN_ID = text("runId", UUID.randomUUID().toString().substring(0, 8));

    private Settings() {
    }

    static String baseUrl() {
        return text("baseUrl", "http://localhost:8080");
    }

    static String apiKey() {
        String key = System.getProperty("apiKey", System.getenv("AGENTSTREAM_API_KEY"));
        if (key == null || key.isBlank()) {
            // Without a key every request is a 401: say so before the run instead of after it.
            throw new IllegalStateException("No API key: pass -DapiKey=... or set AGENTSTREAM_API_KEY "
                    + "(a key with the ingest and read scopes)");
        }
        return key;
    }

    static String text(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static int integer(String name, int fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a whole number >= 0, not '" + value + "'");
        }
    }

    static Duration seconds(String name, int fallback) {
        return Duration.ofSeconds(integer(name, fallback));
    }

    static Duration millis(String name, int fallback) {
        return Duration.ofMillis(integer(name, fallback));
    }

    /** Content sizes in bytes: {@code min..max} from {@code -Dname=min-max}. */
    static int[] range(String name, int min, int max) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return new int[] {min, max};
        }
        String[] parts = value.trim().split("-");
        try {
            int low = Integer.parseInt(parts[0].trim());
            int high = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : low;
            if (parts.length > 2 || low < 1 || high < low) {
                throw new NumberFormatException();
            }
            return new int[] {low, high};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be MIN-MAX (bytes, 1 <= MIN <= MAX), not '" + value + "'");
        }
    }

    /**
     * The HTTP protocol of all simulations. {@code connectionsPerUser} bounds how many requests one
     * virtual user has in flight at once (its concurrent message group).
     */
    static HttpProtocolBuilder protocol(int connectionsPerUser) {
        return http.baseUrl(baseUrl())
                .authorizationHeader("Bearer " + apiKey())
                .userAgentHeader("agentstream-load-test")
                .maxConnectionsPerHost(Math.max(1, connectionsPerUser))
                // The default warm-up calls a public web site; the load stays on the service under test.
                .disableWarmUp();
    }
}
