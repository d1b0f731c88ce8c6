package io.agentstream.ingest;

import java.util.List;

import io.agentstream.event.IngestEvent;
import io.agentstream.http.BodyLines;
import io.agentstream.ingest.EventParser.ParsedLine;
import io.agentstream.ingest.EventWriter.WriteResult;
import io.agentstream.problem.FieldError;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Ingest's semantics for a CLI event log ({@code events_<id>.jsonl}) that arrives whole, as an
 * upload: every line parsed and checked as a live event is, with the same dedup keys, and
 * written with the same statements, in order, inside the caller's transaction.
 */
@Component
public class EventLogIngest {

    /**
     * One non-blank line: its event, or why it is not one ({@code detail}, and the fields named
     * when the problem is with fields; {@code tooLarge} when the event is over INGEST_MAX_EVENT_SIZE),
     * and its size in bytes.
     */
    public record Line(int number, IngestEvent event, String detail, List<FieldError> fieldErrors, boolean tooLarge, long bytes) {

        public boolean valid() {
            return event != null;
        }
    }

    /** Lines parsed ahead of the upload's checks: each is at most INGEST_MAX_EVENT_SIZE. */
    private static final int LINES_AHEAD = 4;

    private final EventParser parser;
    private final EventBatchWriter writer;
    private final IngestProperties properties;

    EventLogIngest(EventParser parser, EventBatchWriter writer, IngestProperties properties) {
        this.parser = parser;
        this.writer = writer;
        this.properties = properties;
    }

    /**
     * The event log's non-blank lines, each parsed and checked as it arrives, off the event loop;
     * the body is never held whole. The flux fails with a 413 past {@code maxBodyBytes}.
     *
     * @param limitVariable the variable that sets {@code maxBodyBytes}, named in the 413
     */
    public Flux<Line> read(ServerHttpRequest request, long maxBodyBytes, String limitVariable, String source) {
        int maxLine = (int) Math.min(properties.maxEventSize().toBytes(), Integer.MAX_VALUE - 8);
        return BodyLines.read(request, maxBodyBytes, limitVariable, maxLine)
                .publishOn(Schedulers.boundedElastic(), LINES_AHEAD)
                .map(line -> check(parser.readLine(line), source));
    }

    private Line check(ParsedLine line, String source) {
        try {
            if (line.error() != null) {
                throw line.error();
            }
            return new Line(line.line(), parser.parse(line.node(), source), null, List.of(), false, line.bytes());
        } catch (InvalidEventException e) {
            return new Line(line.line(), null, e.getBody().getDetail(), e.fieldErrors(),
                    e.getStatusCode().value() == HttpStatus.CONTENT_TOO_LARGE.value(), line.bytes());
        }
    }

    /** Writes the events in order, with a fixed number of statements, in the caller's transaction. */
    public Mono<List<WriteResult>> write(List<IngestEvent> events) {
        return writer.write(events);
    }
}
