package io.agentstream.auth;

import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param bootstrapKeys AGENTPIPE_BRIDGE_API_KEY, comma-separated: every listed key is
 *                      accepted, so a new key can be rolled out before the old is removed
 */
@Validated
@ConfigurationProperties("agentstream.auth")
public record AuthProperties(
        @NotNull List<@Pattern(regexp = "[\\x21-\\x7E]{16,512}",
                message = "AGENTPIPE_BRIDGE_API_KEY: each comma-separated key must be 16 to 512 printable characters without spaces")
                String> bootstrapKeys) {

    public AuthProperties {
        bootstrapKeys = bootstrapKeys == null ? List.of()
                : bootstrapKeys.stream().map(String::strip).filter(key -> !key.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return "AuthProperties[bootstrapKeys=" + bootstrapKeys.size() + " keys]";
    }
}
