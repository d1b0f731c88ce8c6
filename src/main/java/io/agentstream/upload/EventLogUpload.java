package io.agentstream.upload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.agentstream.database.StatementChunks;
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
    /** Bad lines listed in a 400; the count of all is given beside them. */
    private static final int MAX_ERRORS = 100;

    private final EventLogIngest ingest;
    private final SessionWriter sessions;
    private final UploadProperties properties;

    EventLogUpload(EventLogIngest ingest, SessionWriter sessions, UploadProperties properties) {
        this.ingest = ingest;
        this.sessions = sessions;
        this.properties = properties;
    }

    /**
     * Checks the event log as its lines arrive and keeps its events. Refused as soon as it holds
     * more than UPLOAD_MAX_EVENTS events or UPLOAD_MAX_MESSAGES messages (413), or an event
     * larger than INGEST_MAX_EVENT_SIZE (413); otherwise every line is checked and the first
     * {@value #MAX_ERRORS} bad ones are listed, with the count of all (400).
     */
    Mono<List<Sized>> parse(Flux<EventLogIngest.Line> lines) {
        return lines.collect(Checked::new, Checked::add).map(Checked::events);
    }

    /** An event of the log, and its line's size, by which the writes are cut into statements. */
    record Sized(IngestEvent event, long bytes) {
    }

    /** What has been read of one event log so far: its events, and the first bad lines. */
    private final class Checked {

        private final List<Sized> events = new ArrayList<>();
        private final List<FieldError> errors = new ArrayList<>();
        private long lines;
        private long badLines;
        private long messages;

        void add(EventLogIngest.Line line) {
            if (++lines > properties.maxEvents()) {
                throw properties.tooManyEvents();
            }
            if (line.tooLarge()) {
                throw new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "event-too-large", "Event too large",
                        "Line " + line.number() + " of the event log: " + line.detail() + " Nothing was stored.");
            }
            if (line.valid()) {
                if (badLines == 0) {
                    events.add(new Sized(line.event(), line.bytes()));
                }
                if (line.event().type() == EventType.MESSAGE_CREATED && ++messages > properties.maxMessages()) {
                    throw properties.tooManyMessages();
                }
                return;
            }
            badLines++;
            // Once one line is bad nothing will be stored: the events read so far are let go.
            events.clear();
            String prefix = "line " + line.number();
            if (line.fieldErrors().isEmpty()) {
                listed(new FieldError(prefix, line.detail()));
            } else {
                line.fieldErrors().forEach(field -> listed(new FieldError(prefix + ": " + field.field(), field.message())));
            }
        }

        private void listed(FieldError error) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(error);
            }
        }

        List<Sized> events() {
            if (badLines > 0) {
                throw invalid(badLines + (badLines == 1 ? " line" : " lines") + " of the event log "
                        + (badLines == 1 ? "is" : "are") + " not valid events; nothing was stored"
                        + (errors.size() == MAX_ERRORS ? " (the first " + MAX_ERRORS + " problems are listed)" : "") + ".")
                        .withErrors(errors).withProperty("invalid_lines", badLines);
            }
            if (events.isEmpty()) {
                throw invalid("The event log holds no events.");
            }
            return events;
        }
    }

    /**
     * Writes the events in order, in chunks of a few statements each, then finishes the upload.
     *
     * @param keyId the id of the key that sent the upload, recorded with its upload event (audit)
     */
    Mono<UploadResult> write(List<Sized> sized, String keyId) {
        List<IngestEvent> events = sized.stream().map(Sized::event).toList();
        String conversationId = events.stream().map(IngestEvent::conversationId).filter(Objects::nonNull).findFirst()
                .orElse(null);
        if (conversationId == null) {
            return Mono.error(invalid("The event log names no conversation (no event carries data.conversation_id)."));
        }
        return Flux.fromIterable(StatementChunks.of(sized, CHUNK, Sized::bytes))
                .concatMap(chunk -> ingest.write(chunk.stream().map(Sized::event).toList()))
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
