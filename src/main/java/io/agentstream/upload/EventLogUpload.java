package io.agentstream.upload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.agentstream.event.ConversationStarted;
import io.agentstream.event.EventType;
import io.agentstream.event.IngestEvent;
import io.agentstream.ingest.EventLogIngest;
import io.agentstream.ingest.EventWriter.WriteResult;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The CLI's local event log uploaded whole: replayed with ingest's semantics (the same
 * parsing, validation, dedup keys and writes, in order), all-or-nothing. Every line is
 * checked before anything is written, and the writes join the caller's transaction; the
 * upload is then finished as a JSON upload is ({@link SessionWriter#finish}).
 */
@Component
class EventLogUpload {

    /** Events per statement group: as many as one upload statement takes messages. */
    private static final int CHUNK = 1_000;

    private final EventLogIngest ingest;
    private final SessionWriter sessions;
    private final UploadProperties properties;

    EventLogUpload(EventLogIngest ingest, SessionWriter sessions, UploadProperties properties) {
        this.ingest = ingest;
        this.sessions = sessions;
        this.properties = properties;
    }

    /** @throws ApiProblem 400 naming every bad line ({@code line 3: data.content}), or 413 past UPLOAD_MAX_MESSAGES */
    List<IngestEvent> parse(byte[] ndjson, String source) {
        List<IngestEvent> events = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (EventLogIngest.Line line : ingest.parse(ndjson, source)) {
            if (line.valid()) {
                events.add(line.event());
                continue;
            }
            String prefix = "line " + line.number();
            if (line.fieldErrors().isEmpty()) {
                errors.add(new FieldError(prefix, line.detail()));
            } else {
                line.fieldErrors().forEach(field -> errors.add(new FieldError(prefix + ": " + field.field(), field.message())));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid("Some lines of the event log are not valid events; nothing was stored.").withErrors(errors);
        }
        if (events.isEmpty()) {
            throw invalid("The event log holds no events.");
        }
        long messages = events.stream().filter(e -> e.type() == EventType.MESSAGE_CREATED).count();
        if (messages > properties.maxMessages()) {
            throw properties.tooManyMessages(messages);
        }
        return events;
    }

    /**
     * Writes the events in order, in chunks of a few statements each, then finishes the upload.
     *
     * @param keyId the id of the key that sent the upload, recorded with its upload event (audit)
     */
    Mono<UploadResult> write(List<IngestEvent> events, String keyId) {
        String conversationId = events.stream().map(IngestEvent::conversationId).filter(Objects::nonNull).findFirst()
                .orElse(null);
        if (conversationId == null) {
            return Mono.error(invalid("The event log names no conversation (no event carries data.conversation_id)."));
        }
        int chunks = (events.size() + CHUNK - 1) / CHUNK;
        return Flux.range(0, chunks)
                .concatMap(chunk -> ingest.write(events.subList(chunk * CHUNK, Math.min(events.size(), (chunk + 1) * CHUNK))))
                .concatMapIterable(results -> results)
                .collectList()
                .flatMap(results -> {
                    long messagesCreated = 0;
                    long agentsCreated = 0;
                    boolean added = false;
                    for (int i = 0; i < events.size(); i++) {
                        WriteResult result = results.get(i);
                        IngestEvent event = events.get(i);
                        added |= !result.duplicate();
                        if (!result.duplicate() && event.type() == EventType.MESSAGE_CREATED) {
                            messagesCreated++;
                        }
                        if (!result.duplicate() && event.data() instanceof ConversationStarted started) {
                            agentsCreated += started.effectiveParticipants().size();
                        }
                    }
                    return sessions.finish(conversationId, messagesCreated, agentsCreated, !added, keyId);
                });
    }

    private static ApiProblem invalid(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-upload", "Invalid upload", detail);
    }
}
