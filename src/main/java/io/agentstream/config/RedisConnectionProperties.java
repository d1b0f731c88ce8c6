package io.agentstream.config;

import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param url REDIS_URL, e.g. {@code redis://127.0.0.1:6379}; empty means single-node mode
 *            (no Redis). Shared rate limits and stream wake-ups use it in later releases;
 *            it is validated now so that a typo fails at start-up, not at first use.
 */
@Validated
@ConfigurationProperties("agentstream.redis")
public record RedisConnectionProperties(
        @Pattern(regexp = "|rediss?://([^@\\s/]*@)?[^\\s/:@]+(:\\d{1,5})?(/\\d{1,2})?/?",
                message = "REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)")
        String url) {

    public boolean configured() {
        return url != null && !url.isBlank();
    }

    @Override
    public String toString() {
        return "RedisConnectionProperties[configured=" + configured() + "]";
    }
}
