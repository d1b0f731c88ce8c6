package io.agentstream.load;

import java.time.Duration;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * Dashboards on the realtime stream ({@link Dashboards}): {@code subscribers} SSE streams, a third
 * unfiltered, a third {@code ?types=message.created}, a third {@code ?conversation_id=} of a live
 * conversation, while {@code writers} CLIs write a message each {@code writerIntervalMillis} to their
 * live conversation. Each stream must start with the {@code connected} event and then receive a
 * {@code message.created} at least every {@code awaitSeconds} for {@code holdSeconds}.
 *
 * <pre>
 * -DbaseUrl=http://localhost:8080   the service
 * -DapiKey=...                      a key with the ingest and read scopes (else env AGENTSTREAM_API_KEY)
 * -Dsubscribers=30                  streams, opened evenly over rampSeconds (at most SSE_MAX_CONNECTIONS_PER_IP
 *                                   from one load generator)
 * -DrampSeconds=5
 * -DholdSeconds=20                  how long each stream listens after its first message
 * -DawaitSeconds=15                 longest wait for the next event before the check fails
 * -Dwriters=3                       live conversations
 * -DwriterIntervalMillis=250        pause between a writer's messages
 * -DcontentBytes=200-20000          message content size range (bytes)
 * -DrunId=...                       mark in conversation ids (load-RUNID-live-N); random by default
 * </pre>
 *
 * Passes when fewer than 1% of requests and checks fail and every stream received events.
 */
public class DashboardsSimulation extends Simulation {

    {
        int subscribers = Settings.integer("subscribers", 30);
        int writers = Settings.integer("writers", 3);
        Duration ramp = Settings.seconds("rampSeconds", 5);
        Duration hold = Settings.seconds("holdSeconds", 20);
        Duration await = Settings.seconds("awaitSeconds", 15);
        Dashboards dashboards = new Dashboards(writers, subscribers);
        // Writers stop once every stream is done; this only bounds a run whose streams hang.
        Duration atMost = ramp.plus(hold).plus(await.multipliedBy(3));

        setUp(
                scenario("dashboards").exec(dashboards.subscriber(hold, await))
                        .injectOpen(rampUsers(subscribers).during(ramp)),
                scenario("live writers")
                        .exec(dashboards.writer(Settings.millis("writerIntervalMillis", 250), atMost,
                                Settings.range("contentBytes", 200, 20_000)))
                        .injectOpen(atOnceUsers(writers)))
                .protocols(Settings.protocol(1))
                .assertions(
                        global().failedRequests().percent().lt(1.0),
                        details(Dashboards.CONNECTED).successfulRequests().count().is((long) subscribers),
                        details(Dashboards.RECEIVED).successfulRequests().count().gte((long) subscribers));
    }
}
