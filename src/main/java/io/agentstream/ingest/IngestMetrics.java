package io.agentstream.ingest;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * {@code agentstream_ingest_events_total{type, outcome}} and the latency of each event's
 * handling, {@code agentstream_ingest_latency_seconds{type, outcome}} (a histogram, so
 * p50/p95/p99 can be computed across instances). Outcomes: stored, duplicate, rejected,
 * unavailable (the database), failed.
 */
@Component
class IngestMetrics {

    private final MeterRegistry meters;

    IngestMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void record(String type, String outcome, long startedNanos) {
        String typeTag = type == null ? "unknown" : type;
        Counter.builder("agentstream.ingest.events").description("Ingested events by type and outcome")
                .tag("type", typeTag).tag("outcome", outcome).register(meters).increment();
        Timer.builder("agentstream.ingest.latency").description("Time to validate and store one ingested event")
                .tag("type", typeTag).tag("outcome", outcome).register(meters)
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
