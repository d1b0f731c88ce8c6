package io.agentstream.http;

import java.util.ArrayList;
import java.util.List;

import io.agentstream.config.InvalidConfigurationException;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param trustedProxies TRUSTED_PROXIES, comma-separated addresses or CIDR ranges of the
 *                       load balancers in front of agentstream. Only a peer in this list
 *                       may say who the client is (X-Forwarded-For); anyone else could
 *                       forge the header to dodge per-client limits.
 * @param allowedOrigins ALLOWED_ORIGINS, comma-separated origins (https://dash.example.com)
 *                       whose browser pages may call the API; none by default
 */
@ConfigurationProperties("agentstream.http")
public record HttpProperties(List<String> trustedProxies, List<String> allowedOrigins) {

    public HttpProperties {
        List<String> origins = new ArrayList<>();
        if (allowedOrigins != null) {
            for (String origin : allowedOrigins) {
                String stripped = origin == null ? "" : origin.strip();
                if (stripped.isEmpty()) {
                    continue;
                }
                if (!stripped.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?") && !stripped.equals("*")) {
                    throw new InvalidConfigurationException("ALLOWED_ORIGINS",
                            "'" + stripped + "' is not an origin such as https://dashboard.example.com");
                }
                origins.add(stripped);
            }
        }
        allowedOrigins = List.copyOf(origins);
        List<String> entries = new ArrayList<>();
        if (trustedProxies != null) {
            for (String entry : trustedProxies) {
                String stripped = entry == null ? "" : entry.strip();
                if (stripped.isEmpty()) {
                    continue;
                }
                try {
                    AddressRange.parse(stripped);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigurationException("TRUSTED_PROXIES",
                            "'" + stripped + "' is not an IP address or CIDR range (" + e.getMessage() + ")");
                }
                entries.add(stripped);
            }
        }
        trustedProxies = List.copyOf(entries);
    }
}
