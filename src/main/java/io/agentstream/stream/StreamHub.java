package io.agentstream.stream;

import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
 * subscriber has its own queue, bounded in events and in bytes; one that overflows is dropped
 * alone, without slowing the publisher or the other subscribers. The ring too is bounded in
 * events and in bytes, since one event may be as large as a request body.
 *
 * <p>Heartbeats and lifetimes are the hub's too, on one clock for the instance ({@link
 * #tick}, driven by {@link StreamClock}): an idle subscriber is given the heartbeat through its
 * queue, and a subscriber past its lifetime is completed, so that an open stream holds no timer
 * and no operators of its own for either.
 */
@Component
class StreamHub {

    /**
     * A registered subscriber: live events above {@code cursor} (and {@link StreamEvent#HEARTBEAT}s),
     * what the ring held for its resume, the signal that ends the stream at once, even while it
     * is still replaying ({@code over}: cut as a slow consumer, or its lifetime is up), and why
     * the hub ended it, once {@code over} has fired or {@code live} has completed.
     */
    record Subscription(long cursor, List<StreamEvent> fromRing, boolean ringCovers, Flux<StreamEvent> live,
                        Mono<Void> over, Supplier<StreamMetrics.CloseReason> ended, Runnable cancel) {
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
    private final long ringBudget;
    private final int maxPending;
    private final long maxPendingBytes;
    private final long heartbeatNanos;
    private final Duration maxLifetime;
    private final Counter slowConsumers;
    private long cursor = -1;
    /** The ring holds every published event above this offset. */
    private long ringFloor = -1;
    /** What the ring's events hold ({@link StreamEvent#heapBytes}); written under the lock. */
    private volatile long ringBytes;

    StreamHub(StreamProperties properties, MeterRegistry meters) {
        this.ringCapacity = properties.replayBufferSize();
        this.ringBudget = properties.replayBufferBytes().toBytes();
        this.maxPending = properties.maxPending();
        this.maxPendingBytes = properties.maxPendingBytes().toBytes();
        this.heartbeatNanos = properties.heartbeatInterval().toNanos();
        this.maxLifetime = properties.maxLifetime();
        this.slowConsumers = Counter.builder("agentstream.stream.slow.consumers")
                .description("Stream connections closed because they fell SSE_MAX_PENDING events or SSE_MAX_PENDING_BYTES behind")
                .register(meters);
        Gauge.builder("agentstream.stream.replay.buffer", this, hub -> hub.ringBytes).baseUnit("bytes")
                .description("Heap held by the recent events kept for resumes (at most SSE_REPLAY_BUFFER_BYTES)")
                .register(meters);
        Gauge.builder("agentstream.stream.pending", this, StreamHub::pendingBytes).baseUnit("bytes")
                .description("Frames queued for stream connections, summed over them (each at most SSE_MAX_PENDING_BYTES)")
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
            for (StreamEvent event : events) {
                // A pass over each event's text, done here rather than under the lock.
                event.heapBytes();
            }
            synchronized (lock) {
                long bytes = ringBytes;
                for (StreamEvent event : events) {
                    ring.addLast(event);
                    bytes += event.heapBytes();
                    // An event larger than the whole budget leaves the ring empty, its floor at that event.
                    while (ring.size() > ringCapacity || bytes > ringBudget) {
                        StreamEvent evicted = ring.removeFirst();
                        bytes -= evicted.heapBytes();
                        ringFloor = evicted.id();
                    }
                }
                ringBytes = bytes;
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
        return subscribe(filter, resumeAfter, null);
    }

    /** @param keyId the key the stream was opened with (ended if it is revoked); null for none */
    Subscription subscribe(EventFilter filter, Long resumeAfter, String keyId) {
        synchronized (lock) {
            long now = System.nanoTime();
            long deadline = now + Jitter.spread(maxLifetime).toNanos();
            Subscriber subscriber = new Subscriber(filter, keyId, cursor, now + heartbeatNanos, deadline);
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
            return new Subscription(cursor, fromRing, covers, subscriber.sink.asFlux(), subscriber.over.asMono(),
                    () -> subscriber.ended, () -> remove(subscriber));
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** Bytes of frames queued for all subscribers; a frame queued for several counts once for each. */
    long pendingBytes() {
        long sum = 0;
        for (Subscriber subscriber : subscribers) {
            sum += subscriber.queue.bytes();
        }
        return sum;
    }

    /** Completes every subscriber (shutdown): each stream ends with its reconnect hint. */
    void completeAll() {
        synchronized (emitting) {
            for (Subscriber subscriber : subscribers) {
                subscriber.complete(StreamMetrics.CloseReason.SHUTDOWN);
                remove(subscriber);
            }
        }
    }

    /**
     * One beat of the instance's clock, at {@code now} ({@link System#nanoTime}): completes the
     * subscribers whose lifetime is up (each stream ends with its reconnect hint), and gives a
     * heartbeat to those whose interval has passed since their last one, if their queue is
     * empty: one with queued events has data to send and needs none. Each subscriber keeps the
     * phase it registered at, so heartbeats are spread over the interval instead of all falling
     * on one tick. The clock ticks several times per interval: no stream waits more than an
     * interval and a tick for its heartbeat.
     */
    void tick(long now) {
        synchronized (emitting) {
            for (Subscriber subscriber : subscribers) {
                if (now - subscriber.deadline >= 0) {
                    subscriber.end(StreamMetrics.CloseReason.LIFETIME);
                    remove(subscriber);
                } else if (now - subscriber.nextHeartbeat >= 0) {
                    subscriber.nextHeartbeat = now + heartbeatNanos;
                    subscriber.beat();
                }
            }
        }
    }

    /** Ends at once every stream opened with one of these keys (revoked): each gets a last notice, no reconnect hint. */
    void endKeys(Set<String> keyIds) {
        synchronized (emitting) {
            for (Subscriber subscriber : subscribers) {
                if (subscriber.keyId != null && keyIds.contains(subscriber.keyId)) {
                    subscriber.end(StreamMetrics.CloseReason.KEY_REVOKED);
                    remove(subscriber);
                }
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

    /**
     * A subscriber's queue, which knows the frame bytes it holds: added as an event enters (the
     * hub's one producer), taken off as it leaves (the subscriber's drain, on its own thread, or
     * a fused poll downstream), so the count is exact whichever thread moves the events.
     */
    private static final class PendingQueue extends AbstractQueue<StreamEvent> {

        private static final AtomicLongFieldUpdater<PendingQueue> BYTES =
                AtomicLongFieldUpdater.newUpdater(PendingQueue.class, "bytes");

        // Grows in small chunks and is bounded by the checks in Subscriber.offer(): an idle stream
        // holds a few hundred bytes instead of an array of SSE_MAX_PENDING.
        private final Queue<StreamEvent> events = Queues.<StreamEvent>unbounded(8).get();
        private volatile long bytes;

        long bytes() {
            return bytes;
        }

        @Override
        public boolean offer(StreamEvent event) {
            // Counted before it can be taken, so the count never falls below what is queued.
            BYTES.addAndGet(this, event.frameBytes());
            return events.offer(event);
        }

        @Override
        public StreamEvent poll() {
            StreamEvent event = events.poll();
            if (event != null) {
                BYTES.addAndGet(this, -event.frameBytes());
            }
            return event;
        }

        @Override
        public StreamEvent peek() {
            return events.peek();
        }

        @Override
        public int size() {
            return events.size();
        }

        @Override
        public boolean isEmpty() {
            return events.isEmpty();
        }

        @Override
        public Iterator<StreamEvent> iterator() {
            throw new UnsupportedOperationException();
        }
    }

    private final class Subscriber {

        private final EventFilter filter;
        /** The key it was opened with; null for a public stream. */
        private final String keyId;
        private final long registeredAt;
        /** When its lifetime is up ({@link System#nanoTime}). */
        private final long deadline;
        /** When it is due a heartbeat ({@link System#nanoTime}); read and written by ticks only. */
        private long nextHeartbeat;
        private final PendingQueue queue = new PendingQueue();
        private final Sinks.Many<StreamEvent> sink;
        /**
         * Ends the stream at once: cut as a slow consumer, or its lifetime is up. The sink's own
         * completion would wait behind the queued events, which a client that does not read never
         * takes, and behind a replay that such a client never finishes.
         */
        private final Sinks.Empty<Void> over = Sinks.empty();
        /** Why the hub ended it; null while it runs. */
        private volatile StreamMetrics.CloseReason ended;

        Subscriber(EventFilter filter, String keyId, long registeredAt, long nextHeartbeat, long deadline) {
            this.filter = filter;
            this.keyId = keyId;
            this.registeredAt = registeredAt;
            this.nextHeartbeat = nextHeartbeat;
            this.deadline = deadline;
            this.sink = Sinks.many().unicast().onBackpressureBuffer(queue);
        }

        /** Shutdown: the stream sends what is queued, then ends with its reconnect hint. */
        void complete(StreamMetrics.CloseReason reason) {
            ended = reason;
            sink.tryEmitComplete();
        }

        /** Lifetime and slow consumers: the stream ends now; the client resumes after what it got. */
        void end(StreamMetrics.CloseReason reason) {
            ended = reason;
            over.tryEmitEmpty();
            sink.tryEmitComplete();
        }

        /** Called while the hub serialises emissions only. */
        void beat() {
            if (queue.isEmpty()) {
                sink.tryEmitNext(StreamEvent.HEARTBEAT);
            }
        }

        /**
         * Called while the hub serialises emissions only (one producer). An event larger than
         * the byte budget is still queued when nothing else is, so that every event can be sent.
         */
        void offer(StreamEvent event) {
            if (event.id() <= registeredAt || !filter.matches(event)) {
                return;
            }
            long pending = queue.bytes();
            // A heartbeat queued alone counts as nothing: it was only given to an idle subscriber.
            boolean nothingElse = pending <= SseFrames.HEARTBEAT.length;
            if (queue.size() >= maxPending || (!nothingElse && pending + event.frameBytes() > maxPendingBytes)) {
                remove(this);
                slowConsumers.increment();
                end(StreamMetrics.CloseReason.SLOW_CONSUMER);
                return;
            }
            if (sink.tryEmitNext(event).isFailure()) {
                remove(this);
            }
        }
    }
}
