package io.agentstream.config;

import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param url REDIS_URL, e.g. {@code redis://127.0.0.1:6379}; empty means single-node mode
 *            (no Redis). Shared rate limits and stream wake-ups will use it; it is validated
 *            now so that a typo fails at start-up, not at first use. Checked in the
 *            constructor so that the error never repeats the URL, which may hold a password.
 * @param keyPrefix REDIS_KEY_PREFIX: prefix of every key and channel agentstream uses, so
 *                  that several deployments (or test runs) can share one Redis
 */
@ConfigurationProperties("agentstream.redis")
public record RedisConnectionProperties(String url, String keyPrefix) {

    private static final Pattern REDIS_URL =
            Pattern.compile("rediss?://([^@\\s/]*@)?[^\\s/:@]+(:\\d{1,5})?(/\\d{1,2})?/?");
    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9:_.-]{1,64}");

    public RedisConnectionProperties {
        url = url == null ? "" : url.strip();
        if (!url.isEmpty() && !REDIS_URL.matcher(url).matches()) {
            throw new InvalidConfigurationException("REDIS_URL", "must look like redis://host:6379 (or rediss:// for TLS)");
        }
        keyPrefix = keyPrefix == null || keyPrefix.isBlank() ? "agentstream:" : keyPrefix.strip();
        if (!KEY_PREFIX.matcher(keyPrefix).matches()) {
            throw new InvalidConfigurationException("REDIS_KEY_PREFIX", "must be 1 to 64 characters of A-Z a-z 0-9 : _ . -");
        }
    }

    public boolean configured() {
        return !url.isEmpty();
    }

    @Override
    public String toString() {
        return "RedisConnectionProperties[configured=" + configured() + ", keyPrefix=" + keyPrefix + "]";
    }
}
