package io.agentstream.stream;

import reactor.core.publisher.Flux;

/**
 * Tells the other instances that events were committed, so their tailers read at once.
 * Only a hint: PostgreSQL is the source of truth and every tailer also polls, so a lost
 * wake-up delays an event by at most SSE_POLL_INTERVAL and never loses it.
 */
interface WakeUpBus {

    /** A transaction on this instance committed events. Never blocks, never fails. */
    void announce();

    /** Commits announced by other instances. */
    Flux<Object> wakeUps();
}
