package io.agentstream.ingest;

import java.util.ArrayList;
import java.util.List;

import io.agentstream.event.IngestEvent;
import io.agentstream.ingest.EventParser.ParsedLine;
import io.agentstream.ingest.EventWriter.WriteResult;
import io.agentstream.problem.FieldError;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Ingest's semantics for a CLI event log ({@code events_<id>.jsonl}) that arrives whole, as an
 * upload: every line parsed and checked as a live event is, with the same dedup keys, and
 * written with the same statements, in order, inside the caller's transaction.
 */
@Component
public class EventLogIngest {

    /**
     * One non-blank line: its event, or why it is not one ({@code detail}, and the fields named
     * when the problem is with fields).
     */
    public record Line(int number, IngestEvent event, String detail, List<FieldError> fieldErrors) {

        public boolean valid() {
            return event != null;
        }
    }

    private final EventParser parser;
    private final EventBatchWriter writer;

    EventLogIngest(EventParser parser, EventBatchWriter writer) {
        this.parser = parser;
        this.writer = writer;
    }

    public List<Line> parse(byte[] ndjson, String source) {
        List<Line> lines = new ArrayList<>();
        for (ParsedLine line : parser.readLines(ndjson)) {
            try {
                if (line.error() != null) {
                    throw line.error();
                }
                lines.add(new Line(line.line(), parser.parse(line.node(), source), null, List.of()));
            } catch (InvalidEventException e) {
                lines.add(new Line(line.line(), null, e.getBody().getDetail(), e.fieldErrors()));
            }
        }
        return lines;
    }

    /** Writes the events in order, with a fixed number of statements, in the caller's transaction. */
    public Mono<List<WriteResult>> write(List<IngestEvent> events) {
        return writer.write(events);
    }
}
