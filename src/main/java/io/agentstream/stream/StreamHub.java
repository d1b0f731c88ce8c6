package io.agentstream.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Fans published events out to subscribers and keeps the most recent ones for resumes.
 * Publishing and subscribing take one lock, so a new subscriber is registered exactly at
 * a cursor: it receives live every event above it and nothing at or below it. Each
 * subscriber has its own bounded queue; one that overflows is dropped alone, without
 * slowing the publisher or the other subscribers.
 */
@Component
class StreamHub {

    /** Ends a subscriber's flux when its queue overflowed. */
    static final class SlowConsumerException extends RuntimeException {
        SlowConsumerException() {
            super("subscriber fell more than SSE_MAX_PENDING events behind", null, false, false);
        }
    }

    /** A registered subscriber: live events above {@code cursor}, and what the ring held for its resume. */
    record Subscription(long cursor, List<StreamEvent> fromRing, boolean ringCovers, Flux<StreamEvent> live,
                        Runnable cancel) {
    }

    private final Object lock = new Object();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<StreamEvent> ring = new ArrayDeque<>();
    private final int ringCapacity;
    private final int maxPending;
    private final Counter slowConsumers;
    private long cursor = -1;
    private long ringFloor = -1;

    StreamHub(StreamProperties properties, MeterRegistry meters) {
        this.ringCapacity = properties.replayBufferSize();
        this.maxPending = properties.maxPending();
        this.slowConsumers = Counter.builder("agentstream.stream.slow.consumers")
                .description("Stream connections closed because they fell SSE_MAX_PENDING events behind")
                .register(meters);
    }

    /** The tailer found where the log stands; nothing at or below it is published. */
    void start(long position) {
        synchronized (lock) {
            cursor = position;
            ringFloor = position;
        }
    }

    /** -1 until the tailer has started. */
    long cursor() {
        synchronized (lock) {
            return cursor;
        }
    }

    void publish(List<StreamEvent> events, long newCursor) {
        synchronized (lock) {
            for (StreamEvent event : events) {
                ring.addLast(event);
                if (ring.size() > ringCapacity) {
                    ringFloor = ring.removeFirst().id();
                }
                for (Subscriber subscriber : subscribers) {
                    subscriber.offer(event);
                }
            }
            cursor = Math.max(cursor, newCursor);
        }
    }

    /**
     * @param resumeAfter events above this offset that the ring holds are returned for
     *                    replay, when the ring covers everything above it; null for none
     */
    Subscription subscribe(EventFilter filter, Long resumeAfter) {
        Subscriber subscriber = new Subscriber(filter);
        synchronized (lock) {
            subscribers.add(subscriber);
            List<StreamEvent> fromRing = List.of();
            boolean covers = resumeAfter != null && resumeAfter >= ringFloor && resumeAfter <= cursor;
            if (covers) {
                fromRing = new ArrayList<>();
                Iterator<StreamEvent> newestFirst = ring.descendingIterator();
                while (newestFirst.hasNext()) {
                    StreamEvent event = newestFirst.next();
                    if (event.id() <= resumeAfter) {
                        break;
                    }
                    if (filter.matches(event)) {
                        fromRing.add(event);
                    }
                }
                java.util.Collections.reverse(fromRing);
            }
            return new Subscription(cursor, fromRing, covers, subscriber.sink.asFlux(), () -> remove(subscriber));
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** Completes every subscriber (shutdown): each stream ends with its reconnect hint. */
    void completeAll() {
        synchronized (lock) {
            for (Subscriber subscriber : subscribers) {
                subscriber.sink.tryEmitComplete();
            }
            subscribers.clear();
        }
    }

    private void remove(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    private final class Subscriber {

        private final EventFilter filter;
        private final Queue<StreamEvent> queue = Queues.<StreamEvent>unbounded(16).get();
        private final Sinks.Many<StreamEvent> sink;

        Subscriber(EventFilter filter) {
            this.filter = filter;
            // A queue that grows in small chunks and is bounded by the size check in offer():
            // an idle stream holds a few hundred bytes instead of an array of SSE_MAX_PENDING.
            this.sink = Sinks.many().unicast().onBackpressureBuffer(queue);
        }

        /** Called under the hub's lock only, so emissions are serialised (one producer). */
        void offer(StreamEvent event) {
            if (!filter.matches(event)) {
                return;
            }
            if (queue.size() >= maxPending) {
                subscribers.remove(this);
                slowConsumers.increment();
                sink.tryEmitError(new SlowConsumerException());
                return;
            }
            if (sink.tryEmitNext(event).isFailure()) {
                subscribers.remove(this);
            }
        }
    }
}
