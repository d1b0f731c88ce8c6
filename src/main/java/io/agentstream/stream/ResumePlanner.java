package io.agentstream.stream;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.function.Supplier;

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
     * {@code live}; whether its resume is complete; the hub's signal that ends the stream at once
     * ({@code over}), and why the hub ended it ({@code ended}, null while it runs).
     */
    record Plan(boolean recovered, Flux<StreamEvent> missed, Flux<StreamEvent> live, Mono<Void> over,
                Supplier<StreamMetrics.CloseReason> ended) {
    }

    /**
     * A subscriber registered at the hub, its plan to come, and how to unregister it, which the
     * caller owes however the stream ends, also before its plan is known.
     */
    record Registration(Mono<Plan> plan, Runnable cancel) {
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

    /**
     * @param resumeAfter null for live only, {@link StreamQuery#EARLIEST}, or the last offset the client saw
     * @param keyId       the key the stream is opened with, null for none
     */
    Registration plan(EventFilter filter, Long resumeAfter, String keyId) {
        long after = resumeAfter == null ? -1 : Math.max(resumeAfter, 0);
        // "earliest" means what PostgreSQL retains, which the ring cannot vouch for.
        boolean askRing = resumeAfter != null && resumeAfter != StreamQuery.EARLIEST;
        Subscription subscription = hub.subscribe(filter, askRing ? after : null, keyId);
        long cursor = subscription.cursor();
        Flux<StreamEvent> live = subscription.live();
        Mono<Plan> plan;
        if (resumeAfter == null) {
            plan = Mono.just(new Plan(true, Flux.empty(), live, subscription.over(), subscription.ended()));
        } else if (subscription.ringCovers()) {
            plan = Mono.just(replaying(true, draining(subscription.fromRing()), live, subscription));
        } else if (after > cursor) {
            // Ahead of this instance: committed elsewhere and not settled here yet, or unknown.
            plan = eventLog.exists(after).map(present -> new Plan(present, Flux.empty(),
                    present ? live.filter(event -> event.isHeartbeat() || event.id() > after) : live,
                    subscription.over(), subscription.ended()));
        } else {
            plan = eventLog.earliest().map(List::of).defaultIfEmpty(List.of()).map(found -> {
                if (found.isEmpty()) {
                    return new Plan(resumeAfter == StreamQuery.EARLIEST, Flux.empty(), live, subscription.over(),
                            subscription.ended());
                }
                long earliest = found.getFirst();
                boolean complete = resumeAfter == StreamQuery.EARLIEST || after >= earliest - 1;
                long from = complete ? after : earliest - 1;
                return replaying(complete, eventLog.replay(from, cursor, filter, REPLAY_PAGE), live, subscription);
            });
        }
        return new Registration(plan, subscription.cancel());
    }

    /**
     * The ring's events for a replay, each let go as it is sent. A plan is referenced until its
     * stream ends, and a list behind it would keep every replayed event alive that long, after
     * the ring has long evicted it: in the soak, 50 dashboards' resumes held 15,000 events (about
     * 75 MB) beyond the ring's budget (load-test/RESULTS.md, issue 23).
     */
    static Flux<StreamEvent> draining(List<StreamEvent> events) {
        Queue<StreamEvent> queue = new ArrayDeque<>(events);
        return Flux.generate(sink -> {
            StreamEvent next = queue.poll();
            if (next == null) {
                sink.complete();
            } else {
                sink.next(next);
            }
        });
    }

    private Plan replaying(boolean recovered, Flux<StreamEvent> missed, Flux<StreamEvent> live, Subscription subscription) {
        return new Plan(recovered, missed.doOnNext(event -> replayed.increment()), live, subscription.over(),
                subscription.ended());
    }
}
