package io.agentstream.load;

import java.time.Duration;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * Bulk uploads of recorded sessions ({@link Uploads}): {@code uploads} sessions of {@code messages}
 * messages each, JSON {@code {conversation, agents, messages}}, each a new conversation (201).
 *
 * <pre>
 * -DbaseUrl=http://localhost:8080   the service
 * -DapiKey=...                      a key with the ingest scope (else env AGENTSTREAM_API_KEY)
 * -Duploads=10                      uploads (virtual users), started evenly over rampSeconds; more than
 *                                   RATE_LIMIT_UPLOAD per minute get 429 unless limits are raised
 * -DrampSeconds=10
 * -Dmessages=1000                   messages per session
 * -DcontentBytes=200-4000           message content size range (bytes); 1,000 messages are about 2.5 MB
 * -DrunId=...                       mark in conversation ids (load-RUNID-upload-N); random by default
 * </pre>
 *
 * Passes when every upload was stored with all its messages.
 */
public class UploadSimulation extends Simulation {

    {
        int uploads = Settings.integer("uploads", 10);
        Duration ramp = Settings.seconds("rampSeconds", 10);

        setUp(scenario("session uploads")
                .exec(Uploads.upload(Settings.integer("messages", 1000), Settings.range("contentBytes", 200, 4000)))
                .injectOpen(rampUsers(uploads).during(ramp)))
                .protocols(Settings.protocol(1))
                .assertions(
                        global().failedRequests().count().is(0L),
                        details(Uploads.UPLOAD).successfulRequests().count().is((long) uploads));
    }
}
