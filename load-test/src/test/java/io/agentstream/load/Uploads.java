package io.agentstream.load;

import io.gatling.javaapi.core.ChainBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/** One bulk upload of a recorded session ({@code POST /api/sessions/upload}, JSON) per virtual user. */
final class Uploads {

    static final String UPLOAD = "session upload";

    private Uploads() {
    }

    /** Conversation ids are {@code load-<runId>-upload-<user>}: new on every run, so every upload stores (201). */
    static String conversationPrefix() {
        return "load-" + Settings.RUN_ID + "-upload-";
    }

    static ChainBuilder upload(int messages, int[] contentBytes) {
        return exec(session -> {
            String id = conversationPrefix() + session.userId();
            return session.set("upload_id", id)
                    .set("upload_body", Payloads.sessionUpload(id, messages, contentBytes[0], contentBytes[1]));
        })
                .exec(http(UPLOAD).post("/api/sessions/upload").header("Content-Type", "application/json")
                        .body(StringBody(session -> session.getString("upload_body")))
                        .check(status().is(201),
                                jsonPath("$.conversation_id").is(session -> session.getString("upload_id")),
                                jsonPath("$.messages_created").ofInt().is(messages)))
                // Megabytes per user: not kept for the rest of the run.
                .exec(session -> session.remove("upload_body"));
    }
}
