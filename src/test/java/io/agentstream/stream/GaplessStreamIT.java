package io.agentstream.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.awaitility.Awaitility;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offsets commit out of order under concurrent writers. A subscriber that is cut off and
 * resumes again and again, while 16 writers commit, must still see every stored event
 * exactly once and in strictly increasing order.
 */
@IntegrationTest
class GaplessStreamIT {

    private static final int EVENTS = 2000;
    private static final int WRITERS = 16;
    private static final int CUTS = 10;
    private static final List<String> CONVERSATIONS = List.of("gap-a", "gap-b", "gap-c", "gap-d");

    @Autowired
    Api api;

    @LocalServerPort
    int port;

    @Test
    void aSubscriberResumingTenTimesDuringConcurrentWritesSeesEveryEventOnceInOrder() {
        check(null, "select id from events order by id");
    }

    @Test
    void aFilteredSubscriberDoesTheSameForItsConversation() {
        check("conversation_id=gap-b", "select id from events where conversation_id = 'gap-b' order by id");
    }

    private void check(String query, String expectedSql) {
        StreamClient client = new StreamClient(port);
        Random random = new Random();
        List<Long> received = new ArrayList<>();
        CompletableFuture<List<Long>> writes = null;
        String lastEventId = null;
        for (int session = 0; session <= CUTS; session++) {
            List<String> connected = new CopyOnWriteArrayList<>();
            Sinks.One<Boolean> open = Sinks.one();
            Flux<Long> ids = client.stream(query, lastEventId)
                    .doOnNext(frame -> {
                        if (StreamClient.isConnected(frame)) {
                            connected.add(frame.data());
                            open.tryEmitValue(true);
                        }
                    })
                    .filter(frame -> frame.id() != null)
                    .map(frame -> Long.parseLong(frame.id()));
            if (session < CUTS) {
                // Cut off at a random moment, once connected, while the writers are busy.
                Duration cutAfter = Duration.ofMillis(20 + random.nextInt(200));
                ids = ids.takeUntilOther(open.asMono().then(Mono.delay(cutAfter)));
            } else {
                writes.join();
                long lastExpected = api.count("select coalesce(max(id), 0) from (" + expectedSql + ") e");
                if (!received.isEmpty() && received.getLast() >= lastExpected) {
                    break;
                }
                ids = ids.takeUntil(id -> id >= lastExpected);
            }
            CompletableFuture<List<Long>> sessionIds = ids.collectList().toFuture();
            if (writes == null) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !connected.isEmpty());
                writes = client.ingestMessages(EVENTS, WRITERS, CONVERSATIONS).toFuture();
            }
            received.addAll(sessionIds.orTimeout(60, TimeUnit.SECONDS).join());
            assertThat(connected).containsExactly("{\"type\":\"connected\",\"recovered\":true}");
            // Nothing received yet: the store was emptied for this test, so "earliest" is its start.
            lastEventId = received.isEmpty() ? "earliest" : Long.toString(received.getLast());
        }
        assertThat(writes.join()).hasSize(EVENTS);
        List<Long> expected = api.numbers(expectedSql);
        assertThat(expected).hasSizeGreaterThanOrEqualTo(EVENTS / CONVERSATIONS.size());
        assertThat(received).isSorted().doesNotHaveDuplicates();
        assertThat(received).containsExactlyElementsOf(expected);
    }
}
