package io.agentstream.ingest;

import java.time.Duration;

import io.agentstream.config.InvalidConfigurationException;
import io.agentstream.config.MemoryClaim;
import io.agentstream.validation.Limit;
import io.agentstream.validation.TextLimits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Ingest limits. Defaults follow the wire-format contract; every one is an environment
 * variable (see {@code application.yml} and {@code .env.example}).
 *
 * @param maxBodySize  INGEST_MAX_BODY_SIZE: largest request body, single event or batch
 * @param maxBatchSize INGEST_MAX_BATCH_SIZE: most events in one batch body
 * @param readTimeout  INGEST_READ_TIMEOUT: longest a client may take to send its body, so
 *                     that a stalled upload cannot hold a connection forever
 * @param writeTimeout INGEST_WRITE_TIMEOUT: longest a write may take before the client is
 *                     told 503 and retries; below the CLI's own 10 s request timeout
 * @param commitMaxEvents     INGEST_COMMIT_MAX_EVENTS: most events one group-commit
 *                            transaction takes (a larger batch request goes alone)
 * @param commitConcurrency   INGEST_COMMIT_CONCURRENCY: group-commit transactions at once,
 *                            each holding one pooled connection; keep below DATABASE_POOL_MAX
 * @param commitQueueCapacity INGEST_COMMIT_QUEUE_CAPACITY: most events waiting for a
 *                            transaction; past it, requests get 503 with Retry-After
 * @param maxEventSize INGEST_MAX_EVENT_SIZE: largest event, as an ndjson line and as stored
 *                     and streamed (numbers written out in full); 413 past it. Every copy of
 *                     an event the service holds (ring, queues, pages) is at most this large
 * @param maxInFlightBytes INGEST_MAX_IN_FLIGHT_BYTES: request bodies that ingest requests in
 *                         progress may hold together on one instance, from the first byte read
 *                         to the answer; past it, 503 with Retry-After. At least
 *                         INGEST_MAX_BODY_SIZE, so any one valid request can run
 */
@Validated
@ConfigurationProperties("agentstream.ingest")
public record IngestProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBodySize,
        @Min(value = 1, message = "INGEST_MAX_BATCH_SIZE must be between 1 and 10000")
        @Max(value = 10_000, message = "INGEST_MAX_BATCH_SIZE must be between 1 and 10000")
        @DefaultValue("1000") int maxBatchSize,
        @Min(value = 1, message = "INGEST_MAX_CONTENT_LENGTH must be at least 1") @DefaultValue("100000") int maxContentLength,
        @Min(value = 1, message = "INGEST_MAX_SUMMARY_TEXT_LENGTH must be at least 1") @DefaultValue("10000") int maxSummaryTextLength,
        @Min(value = 1, message = "INGEST_MAX_SUMMARY_SHORT_TEXT_LENGTH must be at least 1") @DefaultValue("1000") int maxSummaryShortTextLength,
        @DefaultValue("30s") @NotNull Duration readTimeout,
        @DefaultValue("8s") @NotNull Duration writeTimeout,
        @Min(value = 1, message = "INGEST_COMMIT_MAX_EVENTS must be between 1 and 10000")
        @Max(value = 10_000, message = "INGEST_COMMIT_MAX_EVENTS must be between 1 and 10000")
        @DefaultValue("256") int commitMaxEvents,
        @Min(value = 1, message = "INGEST_COMMIT_CONCURRENCY must be between 1 and 64")
        @Max(value = 64, message = "INGEST_COMMIT_CONCURRENCY must be between 1 and 64")
        @DefaultValue("2") int commitConcurrency,
        @Min(value = 1, message = "INGEST_COMMIT_QUEUE_CAPACITY must be at least 1")
        @DefaultValue("10000") int commitQueueCapacity,
        @DefaultValue("1MB") @NotNull DataSize maxEventSize,
        @DefaultValue("16MB") @NotNull DataSize maxInFlightBytes) implements TextLimits, MemoryClaim {

    /**
     * A body in progress is held as its bytes, its parsed events and the JSON each is stored as:
     * about three times its size.
     */
    static final int HELD_PER_BODY_BYTE = 3;

    public IngestProperties {
        if (maxEventSize != null && maxEventSize.toBytes() < 1024) {
            throw new InvalidConfigurationException("INGEST_MAX_EVENT_SIZE", "must be at least 1KB");
        }
        if (maxInFlightBytes != null && maxBodySize != null && maxInFlightBytes.toBytes() < maxBodySize.toBytes()) {
            throw new InvalidConfigurationException("INGEST_MAX_IN_FLIGHT_BYTES",
                    "must be at least INGEST_MAX_BODY_SIZE (" + maxBodySize.toBytes() + " bytes), or no request of that size could run");
        }
    }

    @Override
    public String memoryVariables() {
        return "INGEST_MAX_IN_FLIGHT_BYTES";
    }

    @Override
    public long memoryBytes() {
        return maxInFlightBytes.toBytes() * HELD_PER_BODY_BYTE;
    }

    @Override
    public int maxLength(Limit limit) {
        return switch (limit) {
            case CONTENT -> maxContentLength;
            case SUMMARY_TEXT -> maxSummaryTextLength;
            case SUMMARY_SHORT_TEXT -> maxSummaryShortTextLength;
        };
    }
}
