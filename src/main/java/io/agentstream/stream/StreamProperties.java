package io.agentstream.stream;

import java.time.Duration;

import io.agentstream.config.InvalidConfigurationException;
import io.agentstream.config.MemoryClaim;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * The live stream's limits. Plain numbers of the durations are milliseconds
 * ({@code 30000}); units are accepted too ({@code 30s}, {@code 30m}). Plain numbers of the
 * sizes are bytes; units are accepted too ({@code 64MB}). Every buffer is bounded in bytes as
 * well as in events, because one event may be as large as a request body.
 *
 * @param heartbeatInterval    SSE_HEARTBEAT_INTERVAL: comment line on idle streams, under
 *                             the common 60 s proxy idle timeout
 * @param maxConnections       SSE_MAX_CONNECTIONS: streams per instance (503 beyond)
 * @param maxConnectionsPerIp  SSE_MAX_CONNECTIONS_PER_IP: streams per client address (429 beyond)
 * @param maxPending           SSE_MAX_PENDING: events queued for one connection; a
 *                             connection that falls further behind is closed and resumes
 * @param maxConnectsPerSecond SSE_MAX_CONNECTS_PER_SECOND: new streams per instance and
 *                             second, so a reconnect storm is spread out (503 beyond)
 * @param maxLifetime          SSE_MAX_LIFETIME: a stream is closed (with a reconnect hint)
 *                             after this, ±20%, so connections rebalance over instances
 * @param reconnectDelay       SSE_RECONNECT_DELAY: the {@code retry:} a client waits before
 *                             reconnecting
 * @param pollInterval         SSE_POLL_INTERVAL: the tailer reads the log at least this
 *                             often, so a lost wake-up only delays an event
 * @param replayBufferSize     SSE_REPLAY_BUFFER_SIZE: recent events kept in memory, so a
 *                             reconnect storm resumes without reading PostgreSQL
 * @param replayBufferBytes    SSE_REPLAY_BUFFER_BYTES: the most heap those recent events may
 *                             hold (their text and frames); the oldest go first
 * @param maxPendingBytes      SSE_MAX_PENDING_BYTES: bytes of frames queued for one
 *                             connection; past it (or SSE_MAX_PENDING) it is closed and resumes
 * @param pageBytes            SSE_PAGE_BYTES: event data one read of the log returns at most
 *                             (the tailer's read, a resume's page, a /api/events page), beyond
 *                             the first event, which is always returned so that reads progress
 */
@ConfigurationProperties("agentstream.stream")
public record StreamProperties(
        @DefaultValue("30000") @DurationUnit(java.time.temporal.ChronoUnit.MILLIS) Duration heartbeatInterval,
        @DefaultValue("10000") int maxConnections,
        @DefaultValue("50") int maxConnectionsPerIp,
        @DefaultValue("1024") int maxPending,
        @DefaultValue("500") int maxConnectsPerSecond,
        @DefaultValue("30m") @DurationUnit(java.time.temporal.ChronoUnit.MILLIS) Duration maxLifetime,
        @DefaultValue("3000") @DurationUnit(java.time.temporal.ChronoUnit.MILLIS) Duration reconnectDelay,
        @DefaultValue("1000") @DurationUnit(java.time.temporal.ChronoUnit.MILLIS) Duration pollInterval,
        @DefaultValue("10000") int replayBufferSize,
        @DefaultValue("32MB") DataSize replayBufferBytes,
        @DefaultValue("4MB") DataSize maxPendingBytes,
        @DefaultValue("1MB") DataSize pageBytes) implements MemoryClaim {

    /**
     * The heap one open stream holds with nothing queued (its connection, its Reactor chain, its
     * subscriber): measured with 17,500 streams open (load-test/RESULTS.md, issue 23).
     */
    static final long HEAP_PER_STREAM = 20L << 10;

    /** The tailer's page is held as the driver's text, the parsed events and their frames: about three times its bytes. */
    static final int HELD_PER_PAGE_BYTE = 3;

    @Override
    public String memoryVariables() {
        return "SSE_MAX_CONNECTIONS, SSE_REPLAY_BUFFER_BYTES, SSE_PAGE_BYTES";
    }

    @Override
    public long memoryBytes() {
        return maxConnections * HEAP_PER_STREAM + replayBufferBytes.toBytes() + HELD_PER_PAGE_BYTE * pageBytes.toBytes();
    }

    public StreamProperties {
        atLeast("SSE_HEARTBEAT_INTERVAL", heartbeatInterval, Duration.ofMillis(100));
        atLeast("SSE_MAX_LIFETIME", maxLifetime, Duration.ofSeconds(1));
        atLeast("SSE_RECONNECT_DELAY", reconnectDelay, Duration.ofMillis(100));
        atLeast("SSE_POLL_INTERVAL", pollInterval, Duration.ofMillis(10));
        positive("SSE_MAX_CONNECTIONS", maxConnections);
        positive("SSE_MAX_CONNECTIONS_PER_IP", maxConnectionsPerIp);
        positive("SSE_MAX_PENDING", maxPending);
        positive("SSE_MAX_CONNECTS_PER_SECOND", maxConnectsPerSecond);
        positive("SSE_REPLAY_BUFFER_SIZE", replayBufferSize);
        positive("SSE_REPLAY_BUFFER_BYTES", replayBufferBytes);
        positive("SSE_MAX_PENDING_BYTES", maxPendingBytes);
        positive("SSE_PAGE_BYTES", pageBytes);
        // The tailer offers a whole page to every subscriber at once: a queue smaller than a page
        // would cut clients that read as fast as they can.
        if (maxPendingBytes.compareTo(pageBytes) < 0) {
            throw new InvalidConfigurationException("SSE_MAX_PENDING_BYTES",
                    "must be at least SSE_PAGE_BYTES: a page of events is queued for a stream at once");
        }
    }

    private static void atLeast(String variable, Duration value, Duration minimum) {
        if (value == null || value.compareTo(minimum) < 0) {
            throw new InvalidConfigurationException(variable, "must be at least " + minimum.toMillis() + " ms");
        }
    }

    private static void positive(String variable, DataSize value) {
        if (value == null || value.toBytes() < 1) {
            throw new InvalidConfigurationException(variable, "must be a positive size (bytes, or with a unit: 64MB)");
        }
    }

    private static void positive(String variable, int value) {
        if (value < 1) {
            throw new InvalidConfigurationException(variable, "must be a positive number");
        }
    }
}
