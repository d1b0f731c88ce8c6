package io.agentstream.stream;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.agentstream.problem.ApiProblem;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Admission of new streams: the per-instance cap, the per-client cap, the connect rate and
 * shutdown. Every admitted stream holds a {@link Permit} that it releases exactly once, on
 * whatever path the stream ends.
 */
@Component
class ConnectionRegistry {

    /** One admitted stream's claim on the caps. */
    final class Permit {

        private final String client;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(String client) {
            this.client = client;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                total.decrementAndGet();
                perClient.computeIfPresent(client, (key, count) -> count.decrementAndGet() == 0 ? null : count);
            }
        }
    }

    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final StreamProperties properties;
    private final Bucket connects;
    private volatile boolean accepting = true;

    private final StreamMetrics metrics;

    ConnectionRegistry(StreamProperties properties, MeterRegistry meters, StreamMetrics metrics) {
        this.properties = properties;
        this.metrics = metrics;
        this.connects = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(properties.maxConnectsPerSecond())
                        .refillGreedy(properties.maxConnectsPerSecond(), Duration.ofSeconds(1)).build())
                .build();
        Gauge.builder("agentstream.stream.connections", total, AtomicInteger::get)
                .description("Open stream connections on this instance")
                .register(meters);
        Gauge.builder("agentstream.stream.connections.max", properties, StreamProperties::maxConnections)
                .description("Streams this instance admits (SSE_MAX_CONNECTIONS)")
                .register(meters);
    }

    /** @throws ApiProblem 503 (shutting down, instance full, connect rate) or 429 (client full) */
    Permit admit(String client) {
        if (!accepting) {
            metrics.rejected(StreamMetrics.Rejection.SHUTTING_DOWN);
            throw unavailable("shutting-down", "This instance is shutting down; connect again to reach another.");
        }
        if (!connects.tryConsume(1)) {
            metrics.rejected(StreamMetrics.Rejection.CONNECT_RATE);
            throw unavailable("connect-rate", "Too many new streams on this instance this second (SSE_MAX_CONNECTS_PER_SECOND).");
        }
        if (total.incrementAndGet() > properties.maxConnections()) {
            total.decrementAndGet();
            metrics.rejected(StreamMetrics.Rejection.CAP);
            throw unavailable("connection-limit", "This instance holds its maximum of streams (SSE_MAX_CONNECTIONS).");
        }
        AtomicInteger mine = perClient.compute(client, (key, count) -> {
            AtomicInteger current = count == null ? new AtomicInteger() : count;
            current.incrementAndGet();
            return current;
        });
        if (mine.get() > properties.maxConnectionsPerIp()) {
            Permit overflow = new Permit(client);
            overflow.release();
            metrics.rejected(StreamMetrics.Rejection.PER_ADDRESS);
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "stream-client-limit", "Too many streams",
                    "This client holds its maximum of " + properties.maxConnectionsPerIp()
                            + " streams (SSE_MAX_CONNECTIONS_PER_IP).")
                    .withHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds());
        }
        return new Permit(client);
    }

    int open() {
        return total.get();
    }

    int openFor(String client) {
        AtomicInteger count = perClient.get(client);
        return count == null ? 0 : count.get();
    }

    int clientsTracked() {
        return perClient.size();
    }

    void stopAccepting() {
        accepting = false;
    }

    void startAccepting() {
        accepting = true;
    }

    private ApiProblem unavailable(String kind, String detail) {
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, kind, "Stream unavailable", detail)
                .withHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds());
    }

    private String retryAfterSeconds() {
        return Long.toString(Math.max(1, properties.reconnectDelay().toSeconds()));
    }
}
