package io.agentstream.stream;

import java.util.List;

import io.agentstream.stream.StreamHub.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns a subscription request into the events a subscriber receives: replay of what it
 * missed (from the hub's ring when it reaches back far enough, else from PostgreSQL),
 * then live events. The subscriber is registered first, at cursor C; the replay covers
 * (resume point, C] and live delivery everything above C, so nothing falls between them
 * and nothing is sent twice.
 */
@Component
class ResumePlanner {

    private static final int REPLAY_PAGE = 1000;

    /**
     * The subscriber's events: {@code missed} (the replay, empty when none), then
     * {@code live}; whether its resume is complete, and how to unregister it.
     */
    record Plan(boolean recovered, Flux<StreamEvent> missed, Flux<StreamEvent> live, Runnable cancel) {
    }

    private final StreamHub hub;
    private final EventLog eventLog;
    private final Counter replayed;

    ResumePlanner(StreamHub hub, EventLog eventLog, MeterRegistry meters) {
        this.hub = hub;
        this.eventLog = eventLog;
        this.replayed = Counter.builder("agentstream.stream.events.replayed")
                .description("Events replayed to resuming stream subscribers")
                .register(meters);
    }

    /** @param resumeAfter null for live only, {@link StreamQuery#EARLIEST}, or the last offset the client saw */
    Mono<Plan> plan(EventFilter filter, Long resumeAfter) {
        long after = resumeAfter == null ? -1 : Math.max(resumeAfter, 0);
        // "earliest" means what PostgreSQL retains, which the ring cannot vouch for.
        boolean askRing = resumeAfter != null && resumeAfter != StreamQuery.EARLIEST;
        Subscription subscription = hub.subscribe(filter, askRing ? after : null);
        long cursor = subscription.cursor();
        Flux<StreamEvent> live = subscription.live();
        Mono<Plan> plan;
        if (resumeAfter == null) {
            plan = Mono.just(new Plan(true, Flux.empty(), live, subscription.cancel()));
        } else if (subscription.ringCovers()) {
            plan = Mono.just(replaying(true, Flux.fromIterable(subscription.fromRing()), live, subscription));
        } else if (after > cursor) {
            // Ahead of this instance: committed elsewhere and not settled here yet, or unknown.
            plan = eventLog.exists(after).map(present -> new Plan(present, Flux.empty(),
                    present ? live.filter(event -> event.id() > after) : live, subscription.cancel()));
        } else {
            plan = eventLog.earliest().map(List::of).defaultIfEmpty(List.of()).map(found -> {
                if (found.isEmpty()) {
                    return new Plan(resumeAfter == StreamQuery.EARLIEST, Flux.empty(), live, subscription.cancel());
                }
                long earliest = found.getFirst();
                boolean complete = resumeAfter == StreamQuery.EARLIEST || after >= earliest - 1;
                long from = complete ? after : earliest - 1;
                return replaying(complete, eventLog.replay(from, cursor, filter, REPLAY_PAGE), live, subscription);
            });
        }
        return plan.doOnError(error -> subscription.cancel().run());
    }

    private Plan replaying(boolean recovered, Flux<StreamEvent> missed, Flux<StreamEvent> live, Subscription subscription) {
        return new Plan(recovered, missed.doOnNext(event -> replayed.increment()), live, subscription.cancel());
    }
}
