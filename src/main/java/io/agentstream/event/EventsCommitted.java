package io.agentstream.event;

/**
 * Published (as a Spring application event) by every writer after a transaction that
 * stored events has committed, so the stream reads them at once instead of at its next
 * poll. It carries nothing: the events table is the only source of what was stored.
 */
public record EventsCommitted() {

    public static final EventsCommitted INSTANCE = new EventsCommitted();
}
