package io.agentstream.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * {@code agentstream_ingest_events_total{type, outcome}} and the latency of each event's
 * handling, {@code agentstream_ingest_latency_seconds{type, outcome}} (a histogram, so
 * p50/p95/p99 can be computed across instances). Outcomes: stored, duplicate, rejected,
 * unavailable (the database), failed.
 *
 * <p>Group commit: {@code agentstream_ingest_commit_events} (events per transaction, a
 * histogram), {@code agentstream_ingest_commit_queued} (events waiting for a transaction),
 * and counters of transactions rerun after a deadlock ({@code _retries}), groups written
 * again request by request after a failure ({@code _splits}), and requests refused because
 * the queue was full ({@code _queue_full}).
 *
 * <p>{@code agentstream_ingest_batch_events}: events per batch request;
 * {@code agentstream_ingest_in_flight_bytes}: request bodies held by requests in progress.
 */
@Component
class IngestMetrics {

    private final MeterRegistry meters;
    private final DistributionSummary commitEvents;
    private final Counter commitRetries;
    private final Counter commitSplits;
    private final Counter commitQueueFull;
    private final DistributionSummary batchEvents;

    IngestMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.commitEvents = DistributionSummary.builder("agentstream.ingest.commit.events")
                .description("Events written per group-commit transaction")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 1000).register(meters);
        this.commitRetries = Counter.builder("agentstream.ingest.commit.retries")
                .description("Group-commit transactions rerun after a deadlock or serialization failure").register(meters);
        this.commitSplits = Counter.builder("agentstream.ingest.commit.splits")
                .description("Failed group-commit transactions written again request by request").register(meters);
        this.commitQueueFull = Counter.builder("agentstream.ingest.commit.queue.full")
                .description("Ingest requests refused with 503 because INGEST_COMMIT_QUEUE_CAPACITY events were waiting")
                .register(meters);
        this.batchEvents = DistributionSummary.builder("agentstream.ingest.batch.events")
                .description("Events per batch request (JSON array or ndjson)")
                .serviceLevelObjectives(1, 10, 50, 100, 250, 500, 1000).register(meters);
    }

    /** {@code agentstream_ingest_in_flight_bytes}: request bodies ingest holds now, against INGEST_MAX_IN_FLIGHT_BYTES. */
    void gaugeInFlight(io.agentstream.http.Capacity inFlight) {
        Gauge.builder("agentstream.ingest.in.flight", inFlight, io.agentstream.http.Capacity::used).baseUnit("bytes")
                .description("Request bodies held by ingest requests in progress (INGEST_MAX_IN_FLIGHT_BYTES bounds it)")
                .register(meters);
    }

    void recordBatchSize(int events) {
        batchEvents.record(events);
    }

    void gaugeCommitQueue(AtomicInteger queuedEvents) {
        Gauge.builder("agentstream.ingest.commit.queued", queuedEvents, AtomicInteger::get)
                .description("Events waiting for a group-commit transaction").register(meters);
    }

    void recordCommitBatch(int events) {
        commitEvents.record(events);
    }

    void recordCommitRetry() {
        commitRetries.increment();
    }

    void recordCommitSplit() {
        commitSplits.increment();
    }

    void recordCommitQueueFull() {
        commitQueueFull.increment();
    }

    void record(String type, String outcome, long startedNanos) {
        Meters meters = byTypeAndOutcome.computeIfAbsent(new MeterKey(type == null ? "unknown" : type, outcome), this::register);
        meters.events.increment();
        meters.latency.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /** Looked up once per type and outcome: building and registering them per event showed in profiles. */
    private final Map<MeterKey, Meters> byTypeAndOutcome = new ConcurrentHashMap<>();

    private record MeterKey(String type, String outcome) {
    }

    private record Meters(Counter events, Timer latency) {
    }

    private Meters register(MeterKey key) {
        return new Meters(
                Counter.builder("agentstream.ingest.events").description("Ingested events by type and outcome")
                        .tag("type", key.type()).tag("outcome", key.outcome()).register(meters),
                Timer.builder("agentstream.ingest.latency").description("Time to validate and store one ingested event")
                        .tag("type", key.type()).tag("outcome", key.outcome()).register(meters));
    }
}
