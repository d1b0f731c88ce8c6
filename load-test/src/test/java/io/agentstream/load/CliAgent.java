package io.agentstream.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.foreach;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * One agent CLI (one virtual user) running one conversation the way AgentPipe does:
 * {@code bridge.connected}, {@code conversation.started}, messages, {@code conversation.completed}.
 * The CLI fires every event from a goroutine of its own, so messages go out in rounds of
 * {@code groupSize}: the round's first message, then, once it is answered, the other
 * {@code groupSize - 1} in flight together (Gatling sends a request's resources concurrently after
 * the request itself). A share of the messages is sent again after its round, as the CLI's retry
 * after a timeout would, and must come back as a duplicate.
 */
final class CliAgent {

    static final String BRIDGE = "bridge.connected";
    static final String STARTED = "conversation.started";
    static final String MESSAGE = "message.created";
    static final String RETRY = "message.created (retry)";
    static final String COMPLETED = "conversation.completed";

    /** The request names of the ingest API, for assertions. */
    static final List<String> REQUESTS = List.of(BRIDGE, STARTED, MESSAGE, RETRY, COMPLETED);

    static final String INGEST = "/api/ingest";

    /**
     * How a conversation goes: {@code groups} rounds of {@code groupSize} concurrent messages with a
     * pause of {@code thinkMin..thinkMax} between rounds (the agents' thinking), and
     * {@code retryPercent}% of the messages sent twice.
     */
    record Shape(int groups, int groupSize, int retryPercent, int[] contentBytes, Duration thinkMin, Duration thinkMax) {

        Shape {
            if (groups < 1 || groupSize < 1 || retryPercent > 100) {
                throw new IllegalArgumentException("groups and groupSize must be >= 1 and retryPercent <= 100");
            }
        }

        int messages() {
            return groups * groupSize;
        }

        static Shape fromProperties(int groups, int groupSize, int thinkMinMillis, int thinkMaxMillis) {
            Duration thinkMin = Settings.millis("thinkMinMillis", thinkMinMillis);
            Duration thinkMax = Settings.millis("thinkMaxMillis", thinkMaxMillis);
            return new Shape(Settings.integer("groups", groups), Settings.integer("groupSize", groupSize),
                    Settings.integer("retryPercent", 10), Settings.range("contentBytes", 200, 20_000),
                    thinkMin, thinkMax.compareTo(thinkMin) < 0 ? thinkMin : thinkMax);
        }
    }

    private CliAgent() {
    }

    /** Conversation ids are {@code load-<runId>-cli-<user>}. */
    static String conversationPrefix() {
        return "load-" + Settings.RUN_ID + "-cli-";
    }

    static ChainBuilder conversation(Shape shape) {
        HttpRequestActionBuilder group = message(shape, 0);
        if (shape.groupSize() > 1) {
            // The only concurrency within one virtual user: resources go out together, each on a
            // connection of its own, once the request that carries them is answered.
            group = group.resources(IntStream.range(1, shape.groupSize()).mapToObj(i -> message(shape, i)).toList());
        }
        return exec(session -> prepare(session, shape))
                .exec(http(BRIDGE).post(INGEST).header("Content-Type", "application/json")
                        .body(StringBody(session -> Payloads.bridgeConnected()))
                        .check(status().is(200), jsonPath("$.success").ofBoolean().is(true)))
                .exec(http(STARTED).post(INGEST).header("Content-Type", "application/json")
                        .body(StringBody(session -> Payloads.conversationStarted(
                                session.getString("cli_id"), session.getList("cli_agents"), shape.messages())))
                        .check(status().is(201), jsonPath("$.conversation_id").is(session -> session.getString("cli_id"))))
                .exec(repeat(shape.groups(), "cli_group").on(
                        doIf(session -> session.getInt("cli_group") > 0).then(pause(shape.thinkMin(), shape.thinkMax())),
                        exec(group),
                        // Retries go after their group is answered, so the original is committed and
                        // the service must recognise the copy.
                        foreach(session -> session.<List<Payloads.Message>>getList("cli_retries")
                                .get(session.getInt("cli_group")), "cli_retry").on(
                                exec(http(RETRY).post(INGEST).header("Content-Type", "application/json")
                                        .body(StringBody(session -> session.<Payloads.Message>get("cli_retry").json()))
                                        .check(status().is(201),
                                                jsonPath("$.message_id").is(session -> session.<Payloads.Message>get("cli_retry").id()),
                                                jsonPath("$.duplicate").ofBoolean().is(true))))))
                .exec(http(COMPLETED).post(INGEST).header("Content-Type", "application/json")
                        .body(StringBody(session -> Payloads.conversationCompleted(session.getString("cli_id"),
                                session.getList("cli_agents"), session.getList("cli_messages"))))
                        .check(status().is(200), jsonPath("$.success").ofBoolean().is(true)))
                .exec(session -> session.removeAll("cli_messages", "cli_retries", "cli_retry"));
    }

    private static HttpRequestActionBuilder message(Shape shape, int indexInGroup) {
        return http(MESSAGE).post(INGEST).header("Content-Type", "application/json")
                .body(StringBody(session -> messageAt(session, shape, indexInGroup).json()))
                .check(status().is(201),
                        jsonPath("$.message_id").is(session -> messageAt(session, shape, indexInGroup).id()),
                        jsonPath("$.duplicate").notExists());
    }

    private static Payloads.Message messageAt(Session session, Shape shape, int indexInGroup) {
        List<Payloads.Message> messages = session.getList("cli_messages");
        return messages.get(session.getInt("cli_group") * shape.groupSize() + indexInGroup);
    }

    /** Builds the whole conversation up front, so a retry is byte for byte the original. */
    private static Session prepare(Session session, Shape shape) {
        String id = conversationPrefix() + session.userId();
        List<Payloads.Agent> agents = Payloads.participants();
        List<Payloads.Message> messages = new ArrayList<>(shape.messages());
        for (int sequence = 1; sequence <= shape.messages(); sequence++) {
            messages.add(Payloads.message(id, agents, sequence, shape.contentBytes()[0], shape.contentBytes()[1]));
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, messages.size()).boxed().toList());
        Collections.shuffle(order);
        int retried = Math.round(messages.size() * shape.retryPercent() / 100f);
        List<List<Payloads.Message>> retries = new ArrayList<>();
        for (int g = 0; g < shape.groups(); g++) {
            retries.add(new ArrayList<>());
        }
        for (int index : order.subList(0, retried).stream().sorted().toList()) {
            retries.get(index / shape.groupSize()).add(messages.get(index));
        }
        return session.set("cli_id", id).set("cli_agents", agents).set("cli_messages", messages).set("cli_retries", retries);
    }
}
