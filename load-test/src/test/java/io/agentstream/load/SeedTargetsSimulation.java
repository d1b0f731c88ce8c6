package io.agentstream.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * The production targets as assertions, and our stricter ones, under the production load:
 * {@code users} agent CLIs at once (a finished conversation is replaced by a new one) and
 * {@code streams} SSE dashboards open for the whole run, with {@code writers} live conversations
 * for the conversation-filtered ones.
 *
 * <p>Production: 100 concurrent users, at least 1,000 events/min, 50 concurrent SSE connections,
 * p95 under 500 ms, under 1% errors. Ours: p95 under 200 ms, p99 under 500 ms, under 0.1% errors.
 * Latency is asserted per ingest request type and for opening a stream ({@link Targets}); the
 * event rate on accepted {@code message.created} alone (the other events only add to it).
 *
 * <pre>
 * -DbaseUrl=http://localhost:8080   the service
 * -DapiKey=...                      a key with the ingest and read scopes (else env AGENTSTREAM_API_KEY)
 * -Dusers=100                       concurrent agent CLIs
 * -Dstreams=50                      concurrent SSE connections (at most SSE_MAX_CONNECTIONS_PER_IP
 *                                   from one load generator)
 * -Dwriters=2                       live conversations for conversation-filtered streams
 * -DrampSeconds=10                  CLIs and streams start over this
 * -DdurationSeconds=60              then all of them run for this long
 * -Dgroups=3 -DgroupSize=4 -DretryPercent=10 -DcontentBytes=200-20000   as in CliAgentsSimulation
 * -DthinkMinMillis=2000 -DthinkMaxMillis=5000   pause between a CLI's rounds of messages
 * -DrunId=...                       mark in conversation ids; random by default
 * </pre>
 */
public class SeedTargetsSimulation extends Simulation {

    {
        int users = Settings.integer("users", 100);
        int streams = Settings.integer("streams", 50);
        int writers = Settings.integer("writers", 2);
        Duration ramp = Settings.seconds("rampSeconds", 10);
        Duration duration = Settings.seconds("durationSeconds", 60);
        Duration await = Duration.ofSeconds(15);
        CliAgent.Shape shape = CliAgent.Shape.fromProperties(3, 4, 2000, 5000);
        Dashboards dashboards = new Dashboards(writers, streams);

        List<Assertion> assertions = new ArrayList<>();
        // Production targets.
        assertions.add(details(CliAgent.STARTED).successfulRequests().count().gte((long) users));
        // Accepted messages at 1,000 a minute over the whole injection window, ramp included.
        assertions.add(details(CliAgent.MESSAGE).successfulRequests().count()
                .gte((long) Math.ceil(ramp.plus(duration).toSeconds() * 1000 / 60.0)));
        assertions.add(details(Dashboards.CONNECTED).successfulRequests().count().gte((long) streams));
        assertions.add(details(Dashboards.RECEIVED).successfulRequests().count().gte((long) streams));
        assertions.addAll(Targets.percentile(Targets.API_REQUESTS, 95, 500));
        assertions.add(global().failedRequests().percent().lt(1.0));
        // Ours.
        assertions.addAll(Targets.percentile(Targets.API_REQUESTS, 95, 200));
        assertions.addAll(Targets.percentile(Targets.API_REQUESTS, 99, 500));
        assertions.add(global().failedRequests().percent().lt(0.1));

        setUp(
                scenario("agent CLIs").exec(CliAgent.conversation(shape))
                        .injectClosed(rampConcurrentUsers(0).to(users).during(ramp), constantConcurrentUsers(users).during(duration)),
                scenario("dashboards").exec(dashboards.subscriber(duration, await))
                        .injectOpen(rampUsers(streams).during(ramp)),
                scenario("live writers")
                        .exec(dashboards.writer(Duration.ofMillis(500), ramp.plus(duration).plus(await.multipliedBy(3)),
                                shape.contentBytes()))
                        .injectOpen(atOnceUsers(writers)))
                .protocols(Settings.protocol(shape.groupSize()))
                .assertions(assertions);
    }
}
