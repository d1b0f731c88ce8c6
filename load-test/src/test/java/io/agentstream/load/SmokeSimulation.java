package io.agentstream.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * About 20 seconds of everything at once, small: 3 agent CLIs (3 rounds of 3 concurrent messages,
 * one retried each), 3 dashboards (one of each filter kind) with one live writer, and one upload of
 * a 1,000-message session. Nothing may fail, every stream must receive events, and latency must
 * stay within bounds generous enough for a 2-core machine that also runs the service and PostgreSQL.
 * The build runs it against an instance of its own ({@code GatlingSmokeIT}).
 *
 * <pre>
 * -DbaseUrl=http://localhost:8080   the service
 * -DapiKey=...                      a key with the ingest and read scopes (else env AGENTSTREAM_API_KEY)
 * -DrunId=...                       mark in conversation ids (load-RUNID-cli-N, -live-0, -upload-N); random by default
 * </pre>
 */
public class SmokeSimulation extends Simulation {

    static final int AGENTS = 3;
    static final int DASHBOARDS = 3;
    static final int WRITERS = 1;
    static final int UPLOAD_MESSAGES = 1000;

    {
        CliAgent.Shape shape = new CliAgent.Shape(3, 3, 10, new int[] {200, 20_000},
                Duration.ofMillis(200), Duration.ofMillis(600));
        Dashboards dashboards = new Dashboards(WRITERS, DASHBOARDS);
        Duration hold = Duration.ofSeconds(15);
        Duration await = Duration.ofSeconds(10);

        List<Assertion> assertions = new ArrayList<>();
        assertions.add(global().failedRequests().count().is(0L));
        // The live writers' conversations are completed under the same request name.
        assertions.add(details(CliAgent.COMPLETED).successfulRequests().count().is((long) AGENTS + WRITERS));
        assertions.add(details(CliAgent.RETRY).successfulRequests().count().is((long) AGENTS));
        assertions.add(details(Dashboards.CONNECTED).successfulRequests().count().is((long) DASHBOARDS));
        assertions.add(details(Dashboards.RECEIVED).successfulRequests().count().gte((long) DASHBOARDS));
        assertions.add(details(Uploads.UPLOAD).successfulRequests().count().is(1L));
        assertions.addAll(Targets.percentile(Targets.API_REQUESTS, 95, 5000));
        assertions.add(details(Uploads.UPLOAD).responseTime().max().lt(30_000));

        setUp(
                scenario("agent CLIs").exec(CliAgent.conversation(shape))
                        .injectOpen(rampUsers(AGENTS).during(Duration.ofSeconds(10))),
                scenario("dashboards").exec(dashboards.subscriber(hold, await))
                        .injectOpen(atOnceUsers(DASHBOARDS)),
                scenario("live writers").exec(dashboards.writer(Duration.ofMillis(300), Duration.ofSeconds(60), shape.contentBytes()))
                        .injectOpen(atOnceUsers(WRITERS)),
                scenario("session uploads").exec(Uploads.upload(UPLOAD_MESSAGES, new int[] {200, 2000}))
                        .injectOpen(nothingFor(Duration.ofSeconds(5)), atOnceUsers(1)))
                .protocols(Settings.protocol(shape.groupSize()))
                .assertions(assertions);
    }
}
