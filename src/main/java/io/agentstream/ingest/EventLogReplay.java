package io.agentstream.ingest;

import java.util.ArrayList;
import java.util.List;

import io.agentstream.event.IngestEvent;
import io.agentstream.ingest.EventParser.ParsedLine;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The CLI's local event log ({@code events_<id>.jsonl}) replayed with ingest's semantics:
 * the same parsing, validation and dedup keys, and the same writes, in order. For uploads,
 * which are all-or-nothing: every line is checked before anything is written, and the
 * writes join the caller's transaction.
 */
@Component
public class EventLogReplay {

    /** Events per statement group: as many as one upload statement takes messages. */
    private static final int CHUNK = 1_000;

    private final EventParser parser;
    private final EventBatchWriter writer;

    EventLogReplay(EventParser parser, EventBatchWriter writer) {
        this.parser = parser;
        this.writer = writer;
    }

    /** @throws ApiProblem 400 naming every bad line ({@code line 3: data.content}) */
    public List<IngestEvent> parse(byte[] ndjson, String source) {
        List<IngestEvent> events = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (ParsedLine line : parser.readLines(ndjson)) {
            try {
                if (line.error() != null) {
                    throw line.error();
                }
                events.add(parser.parse(line.node(), source));
            } catch (InvalidEventException e) {
                String prefix = "line " + line.line();
                List<FieldError> fields = e.fieldErrors();
                if (fields.isEmpty()) {
                    errors.add(new FieldError(prefix, e.getBody().getDetail()));
                } else {
                    fields.forEach(field -> errors.add(new FieldError(prefix + ": " + field.field(), field.message())));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-upload", "Invalid upload",
                    "Some lines of the event log are not valid events; nothing was stored.").withErrors(errors);
        }
        if (events.isEmpty()) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-upload", "Invalid upload",
                    "The event log holds no events.");
        }
        return events;
    }

    /**
     * Writes the events in order, in chunks of a few statements each, inside the caller's
     * transaction (the upload's), which they join.
     */
    public Flux<EventWriter.WriteResult> write(List<IngestEvent> events) {
        int chunks = (events.size() + CHUNK - 1) / CHUNK;
        return Flux.range(0, chunks)
                .concatMap(chunk -> writer.write(events.subList(chunk * CHUNK, Math.min(events.size(), (chunk + 1) * CHUNK))))
                .concatMapIterable(results -> results);
    }
}
