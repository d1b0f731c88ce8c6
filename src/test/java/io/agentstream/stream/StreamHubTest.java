package io.agentstream.stream;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class StreamHubTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static StreamHub hub(int maxPending) {
        StreamProperties properties = new StreamProperties(Duration.ofSeconds(30), 100, 100, maxPending, 100,
                Duration.ofMinutes(30), Duration.ofSeconds(3), Duration.ofSeconds(1), 100);
        StreamHub hub = new StreamHub(properties, new SimpleMeterRegistry());
        hub.start(0);
        return hub;
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
                // At once, with nothing requested: a client that never reads must still be cut.
                .expectError(StreamHub.SlowConsumerException.class)
                .verify(TIMEOUT);
        assertThat(read).containsExactly(1L, 2L, 3L);
        reading.cancel().run();
        slow.cancel().run();
        assertThat(hub.subscriberCount()).isZero();
    }
}
