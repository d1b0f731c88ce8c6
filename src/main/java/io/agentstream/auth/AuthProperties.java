package io.agentstream.auth;

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
 */
@ConfigurationProperties("agentstream.auth")
public record AuthProperties(List<String> bootstrapKeys, boolean publicStream) {

    static final String VARIABLE = "AGENTPIPE_BRIDGE_API_KEY";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{16,512}");

    public AuthProperties {
        List<String> keys = new ArrayList<>();
        if (bootstrapKeys != null) {
            for (String key : bootstrapKeys) {
                String stripped = key == null ? "" : key.strip();
                if (stripped.isEmpty()) {
                    continue;
                }
                if (!KEY.matcher(stripped).matches()) {
                    throw new InvalidConfigurationException(VARIABLE, "key #" + (keys.size() + 1)
                            + " must be 16 to 512 printable ASCII characters without spaces");
                }
                keys.add(stripped);
            }
        }
        bootstrapKeys = List.copyOf(keys);
    }

    @Override
    public String toString() {
        return "AuthProperties[bootstrapKeys=" + bootstrapKeys.size() + " keys, publicStream=" + publicStream + "]";
    }
}
