package io.agentstream.stream;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class StreamHubTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private StreamHub hub(int maxPending) {
        return hub(maxPending, DataSize.ofMegabytes(64), DataSize.ofMegabytes(4));
    }

    private StreamHub hub(int maxPending, DataSize ringBytes, DataSize maxPendingBytes) {
        StreamProperties properties = new StreamProperties(Duration.ofSeconds(30), 100, 100, maxPending, 100,
                Duration.ofMinutes(30), Duration.ofSeconds(3), Duration.ofSeconds(1), 100,
                ringBytes, maxPendingBytes, DataSize.ofBytes(1));
        StreamHub hub = new StreamHub(properties, meters);
        hub.start(0);
        return hub;
    }

    /** An event whose text is {@code size} characters. */
    private static StreamEvent event(long id, int size) {
        return new StreamEvent(id, "log.entry", "a", "{\"content\":\"" + "x".repeat(size - 14) + "\"}");
    }

    private static StreamEvent event(long id, String conversation, String type) {
        return new StreamEvent(id, type, conversation, "{}");
    }

    @Test
    void subscribersGetWhatTheirFiltersSelectAndNothingOfOtherConversations() {
        StreamHub hub = hub(100);
        var all = hub.subscribe(EventFilter.ALL, null);
        var a = hub.subscribe(new EventFilter("a", null), null);
        var aLogs = hub.subscribe(new EventFilter("a", Set.of("log.entry")), null);
        var logs = hub.subscribe(new EventFilter(null, Set.of("log.entry")), null);
        hub.publish(List.of(event(1, "a", "message.created"), event(2, "b", "log.entry"), event(3, "a", "log.entry"),
                event(4, null, "bridge.connected")), 4);
        StepVerifier.create(all.live().map(StreamEvent::id).take(4)).expectNext(1L, 2L, 3L, 4L).verifyComplete();
        StepVerifier.create(a.live().map(StreamEvent::id).take(2)).expectNext(1L, 3L).verifyComplete();
        StepVerifier.create(aLogs.live().map(StreamEvent::id).take(1)).expectNext(3L).verifyComplete();
        StepVerifier.create(logs.live().map(StreamEvent::id).take(2)).expectNext(2L, 3L).verifyComplete();
    }

    @Test
    void aSubscriberRegisteredAtACursorGetsExactlyTheEventsAboveIt() {
        StreamHub hub = hub(100);
        hub.publish(List.of(event(1, "a", "log.entry"), event(2, "a", "log.entry")), 2);
        var late = hub.subscribe(new EventFilter("a", null), 0L);
        assertThat(late.cursor()).isEqualTo(2);
        assertThat(late.ringCovers()).isTrue();
        assertThat(late.fromRing()).extracting(StreamEvent::id).containsExactly(1L, 2L);
        hub.publish(List.of(event(3, "a", "log.entry")), 3);
        StepVerifier.create(late.live().map(StreamEvent::id)).expectNext(3L).thenCancel().verify(TIMEOUT);
    }

    @Test
    void aSubscriberThatFallsBehindIsCutAloneAndCancelledOnesLeaveNothingBehind() {
        StreamHub hub = hub(2);
        var slow = hub.subscribe(new EventFilter("a", null), null);
        var reading = hub.subscribe(new EventFilter("a", null), null);
        List<Long> read = new java.util.concurrent.CopyOnWriteArrayList<>();
        reading.live().subscribe(event -> read.add(event.id()));
        StepVerifier.create(slow.live(), 0)
                .then(() -> hub.publish(List.of(event(1, "a", "log.entry"), event(2, "a", "log.entry"),
                        event(3, "a", "log.entry")), 3))
                .then(() -> assertThat(hub.subscriberCount()).isEqualTo(1))
                .thenCancel()
                .verify(TIMEOUT);
        // At once, with nothing requested: a client that never reads must still be cut.
        StepVerifier.create(slow.over()).expectComplete().verify(TIMEOUT);
        assertThat(slow.ended().get()).isEqualTo(StreamMetrics.CloseReason.SLOW_CONSUMER);
        assertThat(read).containsExactly(1L, 2L, 3L);
        reading.cancel().run();
        slow.cancel().run();
        assertThat(hub.subscriberCount()).isZero();
    }

    @Test
    void theRingKeepsNoMoreThanItsByteBudgetAndAResumeBelowWhatItKeepsIsNotCovered() {
        // Room for three of these events, by the bytes they hold.
        long each = event(1, 10_000).heapBytes();
        StreamHub hub = hub(100, DataSize.ofBytes(3 * each + each / 2), DataSize.ofMegabytes(4));
        hub.publish(List.of(event(1, 10_000), event(2, 10_000), event(3, 10_000), event(4, 10_000), event(5, 10_000)), 5);
        assertThat(meters.get("agentstream.stream.replay.buffer").gauge().value()).isEqualTo(3.0 * each);

        var within = hub.subscribe(EventFilter.ALL, 2L);
        assertThat(within.ringCovers()).isTrue();
        assertThat(within.fromRing()).extracting(StreamEvent::id).containsExactly(3L, 4L, 5L);
        // Event 2 was evicted for bytes, not count (100): the resume must read PostgreSQL.
        assertThat(hub.subscribe(EventFilter.ALL, 1L).ringCovers()).isFalse();
    }

    @Test
    void anEventLargerThanTheRingLeavesItEmptyWithItsFloorAtThatEvent() {
        StreamHub hub = hub(100, DataSize.ofKilobytes(16), DataSize.ofMegabytes(4));
        hub.publish(List.of(event(1, 1_000), event(2, 100_000)), 2);
        assertThat(meters.get("agentstream.stream.replay.buffer").gauge().value()).isZero();
        var atTheLargeOne = hub.subscribe(EventFilter.ALL, 2L);
        assertThat(atTheLargeOne.ringCovers()).isTrue();
        assertThat(atTheLargeOne.fromRing()).isEmpty();
        assertThat(hub.subscribe(EventFilter.ALL, 1L).ringCovers()).isFalse();
        hub.publish(List.of(event(3, 1_000)), 3);
        assertThat(hub.subscribe(EventFilter.ALL, 2L).fromRing()).extracting(StreamEvent::id).containsExactly(3L);
    }

    @Test
    void aSubscriberIsCutWhenItsQueuedBytesPassTheBudgetLongBeforeItsCount() {
        int frame = event(1, 10_000).frameBytes();
        StreamHub hub = hub(1000, DataSize.ofMegabytes(64), DataSize.ofBytes(3L * frame));
        var slow = hub.subscribe(EventFilter.ALL, null);
        List<Long> read = new java.util.concurrent.CopyOnWriteArrayList<>();
        var reading = hub.subscribe(EventFilter.ALL, null);
        reading.live().subscribe(event -> read.add(event.id()));
        StepVerifier.create(slow.over())
                .then(() -> {
                    for (long id = 1; id <= 10; id++) {
                        hub.publish(List.of(event(id, 10_000)), id);
                    }
                })
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(slow.ended().get()).isEqualTo(StreamMetrics.CloseReason.SLOW_CONSUMER);
        assertThat(read).hasSize(10);
        assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isEqualTo(1);
        assertThat(hub.pendingBytes()).isZero();
        reading.cancel().run();
    }

    @Test
    void anEventLargerThanTheBudgetStillGoesToAStreamThatHasNothingQueued() {
        StreamHub hub = hub(1000, DataSize.ofMegabytes(64), DataSize.ofKilobytes(8));
        var stream = hub.subscribe(EventFilter.ALL, null);
        StepVerifier.create(stream.live().map(StreamEvent::id), 0)
                .then(() -> hub.publish(List.of(event(1, 100_000)), 1))
                .thenRequest(1)
                .expectNext(1L)
                .then(() -> hub.publish(List.of(event(2, 100_000)), 2))
                .thenRequest(1)
                .expectNext(2L)
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isZero();
    }

    /**
     * The hub adds an event's bytes on the publishing thread and the subscriber takes them off
     * on its own as it drains: after thousands of events, with both at work at once, nothing
     * may be left counted.
     */
    @Test
    void theQueuedBytesCountStaysExactWhileTheSubscriberDrainsOnItsOwnThread() throws Exception {
        int events = 20_000;
        StreamHub hub = hub(events, DataSize.ofMegabytes(1), DataSize.ofGigabytes(1));
        var stream = hub.subscribe(EventFilter.ALL, null);
        java.util.concurrent.ExecutorService consumer = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(events);
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        try {
            stream.live().subscribe(new BaseSubscriber<StreamEvent>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    consumer.execute(() -> request(1));
                }

                @Override
                protected void hookOnNext(StreamEvent event) {
                    assertThat(event.id()).isEqualTo(last.get() + 1);
                    last.set(event.id());
                    all.countDown();
                    // Demand comes from the consumer's thread: the queue drains there and on the publisher's.
                    consumer.execute(() -> request(1 + (int) (event.id() % 3)));
                }
            });
            java.util.Random random = new java.util.Random(7);
            long id = 0;
            while (id < events) {
                int batch = Math.min(1 + random.nextInt(50), events - (int) id);
                List<StreamEvent> page = new java.util.ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    page.add(event(++id, 20 + random.nextInt(2_000)));
                }
                hub.publish(page, id);
            }
            assertThat(all.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(hub.pendingBytes()).isZero();
            assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isZero();
        } finally {
            stream.cancel().run();
            consumer.shutdownNow();
        }
    }

    @Test
    void theClockGivesIdleSubscribersAHeartbeatOncePerIntervalAndBusyOnesNone() {
        StreamHub hub = hub(100);
        long start = System.nanoTime();
        var idle = hub.subscribe(new EventFilter("a", null), null);
        var busy = hub.subscribe(new EventFilter("b", null), null);
        hub.publish(List.of(event(1, "b", "log.entry")), 1);
        // SSE_HEARTBEAT_INTERVAL is 30 s, counted from each subscriber's registration.
        hub.tick(start + Duration.ofSeconds(10).toNanos());
        hub.tick(start + Duration.ofSeconds(31).toNanos());
        // 20 s after its heartbeat: none yet.
        hub.tick(start + Duration.ofSeconds(51).toNanos());
        StepVerifier.create(idle.live()).expectNext(StreamEvent.HEARTBEAT).thenCancel().verify(TIMEOUT);
        StepVerifier.create(busy.live().map(StreamEvent::id)).expectNext(1L).thenCancel().verify(TIMEOUT);
    }

    @Test
    void anIdleSubscriberGetsItsNextHeartbeatAnIntervalAfterTheLast() {
        StreamHub hub = hub(100);
        long start = System.nanoTime();
        var idle = hub.subscribe(new EventFilter("a", null), null);
        List<StreamEvent> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        idle.live().subscribe(received::add);
        hub.tick(start + Duration.ofSeconds(31).toNanos());
        hub.tick(start + Duration.ofSeconds(50).toNanos());
        assertThat(received).containsExactly(StreamEvent.HEARTBEAT);
        hub.tick(start + Duration.ofSeconds(62).toNanos());
        assertThat(received).containsExactly(StreamEvent.HEARTBEAT, StreamEvent.HEARTBEAT);
    }

    @Test
    void theClockEndsASubscriberWhoseLifetimeIsUpAndSaysWhy() {
        StreamHub hub = hub(100);
        var stream = hub.subscribe(new EventFilter("a", null), null);
        hub.publish(List.of(event(1, "a", "log.entry")), 1);
        // SSE_MAX_LIFETIME is 30 minutes, ±20%: still open at 23 minutes, ended at 37.
        hub.tick(System.nanoTime() + Duration.ofMinutes(23).toNanos());
        assertThat(hub.subscriberCount()).isEqualTo(1);
        hub.tick(System.nanoTime() + Duration.ofMinutes(37).toNanos());
        assertThat(hub.subscriberCount()).isZero();
        // What was queued is still delivered, then the live events end.
        StepVerifier.create(stream.live().map(StreamEvent::id)).expectNext(1L).expectComplete().verify(TIMEOUT);
        assertThat(stream.ended().get()).isEqualTo(StreamMetrics.CloseReason.LIFETIME);
        // And the signal that ends a stream still replaying.
        StepVerifier.create(stream.over()).expectComplete().verify(TIMEOUT);
    }

    @Test
    /** Its own queue, not the caller's list, which the plan would otherwise keep alive (RESULTS.md, the first soak). */
    void aReplayFromTheRingSendsItsEventsInOrderFromACopyOfTheList() {
        List<StreamEvent> events = new java.util.ArrayList<>(List.of(event(1, "a", "log.entry"), event(2, "a", "log.entry")));
        var replay = ResumePlanner.draining(events);
        events.clear();
        StepVerifier.create(replay.map(StreamEvent::id)).expectNext(1L, 2L).verifyComplete();
    }

    @Test
    void theClockTicksOftenEnoughForHeartbeatsAndLifetimesAndAtLeastOnceASecond() {
        assertThat(StreamClock.period(Duration.ofSeconds(30), Duration.ofMinutes(30))).isEqualTo(Duration.ofSeconds(1));
        assertThat(StreamClock.period(Duration.ofMillis(200), Duration.ofMinutes(30))).isEqualTo(Duration.ofMillis(50));
        assertThat(StreamClock.period(Duration.ofSeconds(30), Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(100));
        assertThat(StreamClock.period(Duration.ofMillis(1), Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aHeartbeatWaitingAloneDoesNotMakeALargeEventASlowConsumer() {
        StreamHub hub = hub(1000, DataSize.ofMegabytes(64), DataSize.ofKilobytes(8));
        long start = System.nanoTime();
        var stream = hub.subscribe(EventFilter.ALL, null);
        hub.tick(start + Duration.ofSeconds(31).toNanos());
        hub.publish(List.of(event(1, 100_000)), 1);
        StepVerifier.create(stream.live().map(StreamEvent::id).take(2)).expectNext(-1L, 1L).verifyComplete();
        assertThat(meters.counter("agentstream.stream.slow.consumers").count()).isZero();
    }
}
