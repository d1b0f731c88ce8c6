package io.agentstream.stream;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The stream's meters, every one registered once here: a delivery to thousands of streams
 * must not look a meter up in the registry.
 * <ul>
 * <li>{@code agentstream_stream_rejections_total{reason}}: connects refused, by {@link Rejection};</li>
 * <li>{@code agentstream_stream_duration_seconds{reason}}: how long streams stayed open, by {@link CloseReason};</li>
 * <li>{@code agentstream_stream_deliveries_total}: live events written to streams (replays are
 *     {@code agentstream_stream_events_replayed_total});</li>
 * <li>{@code agentstream_stream_delivery_latency_seconds}: a histogram, from the event's commit
 *     (its transaction's timestamp in PostgreSQL) to its write on a stream;</li>
 * <li>{@code agentstream_stream_resumes_total{recovered}}: reconnects with {@code Last-Event-ID};
 *     {@code recovered="false"} ones lost events (retention, or asked beyond the log).</li>
 * </ul>
 */
@Component
class StreamMetrics {

    enum Rejection {
        CAP, PER_ADDRESS, CONNECT_RATE, AUTH, SHUTTING_DOWN, STARTING;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum CloseReason {
        /** SSE_MAX_LIFETIME reached: ended with a reconnect hint. */
        LIFETIME,
        /** The instance shut down: ended with a reconnect hint. */
        SHUTDOWN,
        /** Fell SSE_MAX_PENDING events behind: cut. */
        SLOW_CONSUMER,
        /** The key it was opened with was revoked: ended with a last {@code key_revoked} event. */
        KEY_REVOKED,
        /** The client went away. */
        CLIENT,
        ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
    private final Map<CloseReason, Timer> durations = new EnumMap<>(CloseReason.class);
    private final Counter deliveries;
    private final Timer deliveryLatency;
    private final Counter recovered;
    private final Counter notRecovered;

    StreamMetrics(MeterRegistry meters) {
        for (Rejection reason : Rejection.values()) {
            rejections.put(reason, Counter.builder("agentstream.stream.rejections")
                    .description("Stream connects refused, by reason")
                    .tag("reason", reason.tag()).register(meters));
        }
        for (CloseReason reason : CloseReason.values()) {
            durations.put(reason, Timer.builder("agentstream.stream.duration")
                    .description("How long streams stayed open, by why they ended")
                    .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1),
                            Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofMinutes(45))
                    .tag("reason", reason.tag()).register(meters));
        }
        deliveries = Counter.builder("agentstream.stream.deliveries")
                .description("Live events written to stream connections").register(meters);
        deliveryLatency = Timer.builder("agentstream.stream.delivery.latency")
                .description("From an event's commit to its write on a stream")
                // A dozen fixed buckets, not a percentile histogram's seventy: enough for p50-p99
                // around the 100 ms target and the 1 s alert, at a fraction of the scrape.
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
                        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
                        Duration.ofSeconds(30))
                .register(meters);
        Counter.Builder resumes = Counter.builder("agentstream.stream.resumes")
                .description("Streams resumed with Last-Event-ID; recovered=false lost events");
        recovered = resumes.tag("recovered", "true").register(meters);
        notRecovered = resumes.tag("recovered", "false").register(meters);
    }

    void rejected(Rejection reason) {
        rejections.get(reason).increment();
    }

    void closed(CloseReason reason, long nanos) {
        durations.get(reason).record(nanos, TimeUnit.NANOSECONDS);
    }

    void resumed(boolean complete) {
        (complete ? recovered : notRecovered).increment();
    }

    /** One live event written to one stream; committedAtMillis is 0 when unknown. */
    void delivered(long committedAtMillis) {
        deliveries.increment();
        if (committedAtMillis > 0) {
            deliveryLatency.record(Math.max(0, System.currentTimeMillis() - committedAtMillis), TimeUnit.MILLISECONDS);
        }
    }
}
