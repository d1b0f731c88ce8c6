package io.agentstream.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.SseMessageCheck;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAsDuring;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Dashboards on {@code GET /api/realtime/stream} and the few writers that keep events flowing
 * to them. Subscribers come in three kinds, in turn: unfiltered, {@code ?types=message.created},
 * and {@code ?conversation_id=} one of the writers' conversations.
 *
 * <p>Writers keep writing until every subscriber has come and gone, so no subscriber waits on a
 * stream nobody writes to; a subscriber that receives nothing within its wait fails its check.
 */
final class Dashboards {

    static final String CONNECT = "stream: connect";
    static final String CONNECTED = "stream: connected event";
    static final String RECEIVED = "stream: message.created received";
    static final String CLOSE = "stream: close";

    private final List<String> liveConversations;
    private final int expectedSubscribers;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger nextSubscriber = new AtomicInteger();

    /**
     * @param writers             conversations written to while subscribers listen (0: none, and no
     *                            conversation-filtered subscribers)
     * @param expectedSubscribers how many subscribers the simulation starts; writers go on until all have been
     */
    Dashboards(int writers, int expectedSubscribers) {
        this.liveConversations = IntStream.range(0, writers).mapToObj(i -> "load-" + Settings.RUN_ID + "-live-" + i).toList();
        this.expectedSubscribers = expectedSubscribers;
    }

    /**
     * Opens a stream, expects the {@code connected} event first and then a {@code message.created}
     * (of the filtered conversation, where filtered), then keeps expecting one at least every
     * {@code await} for {@code hold}, and closes.
     */
    ChainBuilder subscriber(Duration hold, Duration await) {
        return feed(Stream.generate(this::nextStream).iterator())
                .exec(session -> {
                    opened.incrementAndGet();
                    open.incrementAndGet();
                    return session;
                })
                .exec(sse(CONNECT).get(session -> "/api/realtime/stream" + session.getString("stream_query"))
                        .await(await).on(sse.checkMessage(CONNECTED)
                                // No matching condition: the first event on a stream must be this one.
                                .check(jsonPath("$.data.type").is("connected"), jsonPath("$.retry").exists()))
                        .await(await).on(messageReceived()))
                // A stream that failed or ended fails every later check at once: stop listening instead of spinning.
                .exec(asLongAsDuring(session -> !session.isFailed(), hold).on(
                        exec(sse(RECEIVED).setCheck().await(await).on(messageReceived()))))
                .exec(sse(CLOSE).close())
                .exec(session -> {
                    open.decrementAndGet();
                    return session;
                });
    }

    private static SseMessageCheck messageReceived() {
        return sse.checkMessage(RECEIVED)
                .matching(jsonPath("$.data.type").is("message.created"))
                .checkIf(session -> !session.getString("stream_conversation").isEmpty())
                .then(jsonPath("$.data.data.conversation_id").is(session -> session.getString("stream_conversation")));
    }

    private Map<String, Object> nextStream() {
        int n = nextSubscriber.getAndIncrement();
        int kinds = liveConversations.isEmpty() ? 2 : 3;
        Map<String, Object> stream = new HashMap<>();
        stream.put("stream_conversation", "");
        switch (n % kinds) {
            case 0 -> stream.put("stream_query", "");
            case 1 -> stream.put("stream_query", "?types=message.created");
            default -> {
                String conversation = liveConversations.get((n / kinds) % liveConversations.size());
                stream.put("stream_query", "?conversation_id=" + conversation);
                stream.put("stream_conversation", conversation);
            }
        }
        return stream;
    }

    /**
     * One writer per live conversation (inject exactly {@code writers} users): started, a message every
     * {@code interval} while subscribers are still to come or still listening (at most {@code atMost}),
     * completed.
     */
    ChainBuilder writer(Duration interval, Duration atMost, int[] contentBytes) {
        AtomicInteger nextWriter = new AtomicInteger();
        return exec(session -> {
            String id = liveConversations.get(nextWriter.getAndIncrement() % liveConversations.size());
            return session.set("live_id", id).set("live_agents", Payloads.participants())
                    .set("live_messages", new ArrayList<Payloads.Message>());
        })
                .exec(http(CliAgent.STARTED).post(CliAgent.INGEST).header("Content-Type", "application/json")
                        .body(StringBody(session -> Payloads.conversationStarted(
                                session.getString("live_id"), session.getList("live_agents"), 1000)))
                        .check(status().is(201)))
                .exec(asLongAsDuring(session -> opened.get() < expectedSubscribers || open.get() > 0, atMost).on(
                        exec(session -> next(session, contentBytes)),
                        exec(http(CliAgent.MESSAGE).post(CliAgent.INGEST).header("Content-Type", "application/json")
                                .body(StringBody(session -> session.<Payloads.Message>get("live_message").json()))
                                .check(status().is(201), jsonPath("$.duplicate").notExists())),
                        pause(interval)))
                .exec(http(CliAgent.COMPLETED).post(CliAgent.INGEST).header("Content-Type", "application/json")
                        .body(StringBody(session -> Payloads.conversationCompleted(session.getString("live_id"),
                                session.getList("live_agents"), session.getList("live_messages"))))
                        .check(status().is(200)));
    }

    private static Session next(Session session, int[] contentBytes) {
        List<Payloads.Message> sent = session.getList("live_messages");
        Payloads.Message message = Payloads.message(session.getString("live_id"), session.getList("live_agents"),
                sent.size() + 1, contentBytes[0], contentBytes[1]);
        // The completion totals need only the figures, not the content.
        sent.add(new Payloads.Message(message.id(), message.sequence(), message.tokens(), message.cost(),
                message.durationMs(), ""));
        return session.set("live_message", message);
    }
}
