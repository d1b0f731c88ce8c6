package io.agentstream.load;

import java.time.Duration;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * Agent CLIs ingesting conversations ({@link CliAgent}): each virtual user is one CLI running one
 * conversation of {@code groups × groupSize} messages in rounds (one message, then the round's
 * other {@code groupSize - 1} concurrently), of {@code contentBytes} each, {@code retryPercent}% of
 * them sent twice.
 *
 * <pre>
 * -DbaseUrl=http://localhost:8080   the service
 * -DapiKey=...                      a key with the ingest scope (else env AGENTSTREAM_API_KEY)
 * -Dagents=20                       CLIs (virtual users), started evenly over rampSeconds
 * -DrampSeconds=10
 * -Dgroups=3 -DgroupSize=4          rounds per conversation, messages per round
 * -DretryPercent=10                 messages sent again as exact duplicates
 * -DcontentBytes=200-20000          message content size range (bytes, uniformly random)
 * -DthinkMinMillis=500 -DthinkMaxMillis=1500   pause between rounds
 * -DrunId=...                       mark in conversation ids (load-RUNID-cli-N); random by default
 * </pre>
 *
 * Passes when fewer than 1% of requests fail and every conversation was completed.
 */
public class CliAgentsSimulation extends Simulation {

    {
        int agents = Settings.integer("agents", 20);
        Duration ramp = Settings.seconds("rampSeconds", 10);
        CliAgent.Shape shape = CliAgent.Shape.fromProperties(3, 4, 500, 1500);

        setUp(scenario("agent CLIs").exec(CliAgent.conversation(shape)).injectOpen(rampUsers(agents).during(ramp)))
                .protocols(Settings.protocol(shape.groupSize()))
                .assertions(
                        global().failedRequests().percent().lt(1.0),
                        details(CliAgent.COMPLETED).successfulRequests().count().is((long) agents));
    }
}
