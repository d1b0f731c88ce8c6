package io.agentstream.ingest;

import java.util.List;

import io.agentstream.event.IngestEvent;
import reactor.core.publisher.Mono;

/**
 * The single path by which an event reaches PostgreSQL. The returned Mono completes only
 * after the event is committed (durable before acknowledged). Callers do not know how
 * commits are grouped: an implementation may commit many concurrent events in one
 * transaction without changing this contract.
 */
public interface EventWriter {

    Mono<WriteResult> write(IngestEvent event);

    /** The events of one request: committed together, in this order; results in the same order. */
    Mono<List<WriteResult>> writeAll(List<IngestEvent> events);

    /**
     * @param eventId   the event's stream offset (the original's, for a duplicate)
     * @param duplicate true when the event had already been stored: nothing changed
     */
    record WriteResult(long eventId, boolean duplicate) {
    }
}
