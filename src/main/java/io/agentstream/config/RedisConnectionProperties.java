package io.agentstream.config;

import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param url REDIS_URL, e.g. {@code redis://127.0.0.1:6379}; empty means single-node mode
 *            (no Redis). Shared rate limits and stream wake-ups will use it; it is validated
 *            now so that a typo fails at start-up, not at first use. Checked in the
 *            constructor so that the error never repeats the URL, which may hold a password.
 */
@ConfigurationProperties("agentstream.redis")
public record RedisConnectionProperties(String url) {

    private static final Pattern REDIS_URL =
            Pattern.compile("rediss?://([^@\\s/]*@)?[^\\s/:@]+(:\\d{1,5})?(/\\d{1,2})?/?");

    public RedisConnectionProperties {
        url = url == null ? "" : url.strip();
        if (!url.isEmpty() && !REDIS_URL.matcher(url).matches()) {
            throw new InvalidConfigurationException("REDIS_URL", "must look like redis://host:6379 (or rediss:// for TLS)");
        }
    }

    public boolean configured() {
        return !url.isEmpty();
    }

    @Override
    public String toString() {
        return "RedisConnectionProperties[configured=" + configured() + "]";
    }
}
