package io.agentstream.ops;

import java.time.Duration;

import io.agentstream.config.InvalidConfigurationException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param days      RETENTION_DAYS: conversations unchanged for this many days are deleted with
 *                  everything of them, and events of no conversation older than that; 0 keeps
 *                  everything
 * @param interval  RETENTION_INTERVAL: how often an instance looks for expired data
 * @param batchSize rows deleted per transaction, so retention never holds long locks
 */
@ConfigurationProperties("agentstream.retention")
public record RetentionProperties(@DefaultValue("0") int days, @DefaultValue("1h") Duration interval,
                                  @DefaultValue("500") int batchSize) {

    public RetentionProperties {
        if (days < 0 || days > 36_500) {
            throw new InvalidConfigurationException("RETENTION_DAYS", "must be 0 (keep forever) to 36500");
        }
        if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidConfigurationException("RETENTION_INTERVAL", "must be at least 1s");
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new InvalidConfigurationException("RETENTION_BATCH_SIZE", "must be 1 to 100000");
        }
    }
}
