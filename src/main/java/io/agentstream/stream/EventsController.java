package io.agentstream.stream;

import java.util.List;

import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.agentstream.stream.EventLog.Page;
import io.agentstream.stream.StreamQuery.PageParams;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/events}: the stream's events as JSON pages, for clients that poll. Only
 * settled offsets are returned, so a client that continues from {@code next_after} never
 * skips an event that commits late. A page ends at {@code limit} events or after about
 * SSE_PAGE_BYTES of their data, whichever comes first; {@code has_more} says it ended so.
 */
@RestController
class EventsController {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    private final EventLog eventLog;
    private final StreamHub hub;

    EventsController(EventLog eventLog, StreamHub hub) {
        this.eventLog = eventLog;
        this.hub = hub;
    }

    @GetMapping(Routes.EVENTS)
    Mono<ResponseEntity<String>> events(ServerWebExchange exchange) {
        PageParams params = StreamQuery.page(exchange.getRequest(), DEFAULT_LIMIT, MAX_LIMIT);
        long settled = hub.cursor();
        if (settled < 0) {
            return Mono.error(new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "stream-starting", "Events unavailable",
                    "The event log has not been read yet.").withHeader(HttpHeaders.RETRY_AFTER, "1"));
        }
        Mono<Page> read = params.keyId() == null
                ? eventLog.page(params.after(), settled, params.filter(), params.limit())
                : eventLog.pageByKey(params.after(), settled, params.keyId(), params.filter(), params.limit());
        return read.map(page -> {
            List<StreamEvent> events = page.events();
            long next = page.full() ? events.getLast().id() : Math.max(params.after(), settled);
            StringBuilder body = new StringBuilder(256 + events.size() * 256).append("{\"events\":[");
            for (int i = 0; i < events.size(); i++) {
                body.append(i == 0 ? "" : ",").append(events.get(i).json());
            }
            body.append("],\"next_after\":").append(next).append(",\"has_more\":").append(page.full()).append('}');
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body.toString());
        });
    }
}
