package io.agentstream.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.agentstream.config.InvalidConfigurationException;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param bootstrapKeys AGENTPIPE_BRIDGE_API_KEY, comma-separated: every listed key is
 *                      accepted, so a new key can be rolled out before the old is removed.
 *                      Checked here rather than with a constraint annotation because a
 *                      failed constraint prints the rejected value, and that is a secret.
 * @param publicStream  STREAM_PUBLIC: when true, the live stream and {@code /api/events}
 *                      answer without a key (a public dashboard); everything else still
 *                      needs one
 * @param adminKeys     ADMIN_API_KEY, comma-separated: keys with the admin scope (key
 *                      management, metrics, deleting conversations), for bootstrapping
 * @param streamTokenSecret STREAM_TOKEN_SECRET: signs stream tokens (at least 32 characters);
 *                      every instance needs the same. Unset: a random one per instance, so a
 *                      token works only on the instance that issued it
 * @param streamTokenTtl STREAM_TOKEN_TTL: how long a stream token is valid
 */
@ConfigurationProperties("agentstream.auth")
public record AuthProperties(List<String> bootstrapKeys, boolean publicStream, List<String> adminKeys,
                             String streamTokenSecret, Duration streamTokenTtl) {

    static final String VARIABLE = "AGENTPIPE_BRIDGE_API_KEY";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{16,512}");

    public AuthProperties {
        bootstrapKeys = keys(bootstrapKeys, VARIABLE);
        adminKeys = keys(adminKeys, "ADMIN_API_KEY");
        streamTokenSecret = streamTokenSecret == null || streamTokenSecret.isBlank() ? null : streamTokenSecret.strip();
        if (streamTokenSecret != null && streamTokenSecret.length() < 32) {
            throw new InvalidConfigurationException("STREAM_TOKEN_SECRET", "must be at least 32 characters");
        }
        streamTokenTtl = streamTokenTtl == null ? Duration.ofHours(1) : streamTokenTtl;
        if (streamTokenTtl.compareTo(Duration.ofSeconds(10)) < 0 || streamTokenTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new InvalidConfigurationException("STREAM_TOKEN_TTL", "must be between 10s and 7d");
        }
    }

    private static List<String> keys(List<String> configured, String variable) {
        List<String> keys = new ArrayList<>();
        if (configured != null) {
            for (String key : configured) {
                String stripped = key == null ? "" : key.strip();
                if (stripped.isEmpty()) {
                    continue;
                }
                if (!KEY.matcher(stripped).matches()) {
                    throw new InvalidConfigurationException(variable, "key #" + (keys.size() + 1)
                            + " must be 16 to 512 printable ASCII characters without spaces");
                }
                keys.add(stripped);
            }
        }
        return List.copyOf(keys);
    }

    @Override
    public String toString() {
        return "AuthProperties[bootstrapKeys=" + bootstrapKeys.size() + " keys, adminKeys=" + adminKeys.size()
                + " keys, publicStream=" + publicStream + ", streamTokenSecret=" + (streamTokenSecret == null ? "unset" : "set")
                + ", streamTokenTtl=" + streamTokenTtl + "]";
    }
}
