package io.agentstream.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Fans published events out to subscribers and keeps the most recent ones for resumes.
 * A new subscriber is registered exactly at a cursor: it receives live every event above it
 * and nothing at or below it. The cursor moves, and subscribers register, under one short
 * lock; the events are offered to subscribers after it, so a connecting client never waits
 * for a fan-out to thousands of streams. Subscribers that follow one conversation are
 * indexed by it, so an event costs nothing for those following other conversations. Each
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

    /** Guards the cursor, the ring and (un)registration. Held briefly; never while emitting. */
    private final Object lock = new Object();
    /** Serialises emissions into subscribers' sinks (publishing, shutdown), which allow one producer at a time. */
    private final Object emitting = new Object();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final Set<Subscriber> anyConversation = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Set<Subscriber>> byConversation = new ConcurrentHashMap<>();
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

    /**
     * Called by the tailer, one call at a time. A subscriber that registers while the events
     * are being offered got a cursor at or above them, and skips them itself.
     */
    void publish(List<StreamEvent> events, long newCursor) {
        synchronized (emitting) {
            synchronized (lock) {
                for (StreamEvent event : events) {
                    ring.addLast(event);
                    if (ring.size() > ringCapacity) {
                        ringFloor = ring.removeFirst().id();
                    }
                }
                cursor = Math.max(cursor, newCursor);
            }
            for (StreamEvent event : events) {
                offer(anyConversation, event);
                if (event.conversationId() != null) {
                    Set<Subscriber> following = byConversation.get(event.conversationId());
                    if (following != null) {
                        offer(following, event);
                    }
                }
            }
        }
    }

    private static void offer(Set<Subscriber> subscribers, StreamEvent event) {
        for (Subscriber subscriber : subscribers) {
            subscriber.offer(event);
        }
    }

    /**
     * @param resumeAfter events above this offset that the ring holds are returned for
     *                    replay, when the ring covers everything above it; null for none
     */
    Subscription subscribe(EventFilter filter, Long resumeAfter) {
        synchronized (lock) {
            Subscriber subscriber = new Subscriber(filter, cursor);
            subscribers.add(subscriber);
            if (filter.conversationId() == null) {
                anyConversation.add(subscriber);
            } else {
                byConversation.computeIfAbsent(filter.conversationId(), id -> ConcurrentHashMap.newKeySet()).add(subscriber);
            }
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
                Collections.reverse(fromRing);
            }
            return new Subscription(cursor, fromRing, covers, subscriber.live(), () -> remove(subscriber));
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** Completes every subscriber (shutdown): each stream ends with its reconnect hint. */
    void completeAll() {
        synchronized (emitting) {
            for (Subscriber subscriber : subscribers) {
                subscriber.complete();
                remove(subscriber);
            }
        }
    }

    private void remove(Subscriber subscriber) {
        synchronized (lock) {
            if (!subscribers.remove(subscriber)) {
                return;
            }
            String conversation = subscriber.filter.conversationId();
            if (conversation == null) {
                anyConversation.remove(subscriber);
            } else {
                Set<Subscriber> following = byConversation.get(conversation);
                if (following != null && following.remove(subscriber) && following.isEmpty()) {
                    byConversation.remove(conversation);
                }
            }
        }
    }

    private final class Subscriber {

        private final EventFilter filter;
        private final long registeredAt;
        private final Queue<StreamEvent> queue = Queues.<StreamEvent>unbounded(16).get();
        private final Sinks.Many<StreamEvent> sink;
        /** true: cut as a slow consumer; false: ended normally (shutdown). */
        private final Sinks.One<Boolean> cut = Sinks.one();

        Subscriber(EventFilter filter, long registeredAt) {
            this.filter = filter;
            this.registeredAt = registeredAt;
            // A queue that grows in small chunks and is bounded by the size check in offer():
            // an idle stream holds a few hundred bytes instead of an array of SSE_MAX_PENDING.
            this.sink = Sinks.many().unicast().onBackpressureBuffer(queue);
        }

        /**
         * The events, ended by {@link SlowConsumerException} as soon as the queue overflows. The
         * sink's own error would wait behind the queued events, which a client that does not
         * read never takes: its connection would stay open, holding its slot, until its lifetime
         * ended. Prefetch 1, so the queue above stays the only buffer that counts.
         */
        Flux<StreamEvent> live() {
            Mono<StreamEvent> cutSignal = cut.asMono().flatMap(slow -> slow ? Mono.error(new SlowConsumerException()) : Mono.empty());
            return Flux.merge(1, sink.asFlux(), cutSignal);
        }

        void complete() {
            sink.tryEmitComplete();
            cut.tryEmitValue(false);
        }

        /** Called while the hub serialises emissions only (one producer). */
        void offer(StreamEvent event) {
            if (event.id() <= registeredAt || !filter.matches(event)) {
                return;
            }
            if (queue.size() >= maxPending) {
                remove(this);
                slowConsumers.increment();
                cut.tryEmitValue(true);
                return;
            }
            if (sink.tryEmitNext(event).isFailure()) {
                remove(this);
            }
        }
    }
}
