package io.agentstream.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.agentstream.database.DatabaseUnavailableException;
import io.agentstream.event.EventType;
import io.agentstream.event.IngestEvent;
import io.agentstream.http.BodyLines;
import io.agentstream.http.BoundedBody;
import io.agentstream.http.Capacity;
import io.agentstream.http.Caller;
import io.agentstream.http.Routes;
import io.agentstream.ingest.EventParser.ParsedLine;
import io.agentstream.problem.ProblemDocument;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/ingest}: one event as a JSON object (what the AgentPipe CLI sends), or a
 * batch as a JSON array or {@code application/x-ndjson}. The body is read raw, with its
 * size bounded before buffering, so that malformed or oversized input is a precise 4xx; an
 * ndjson body is parsed line by line as it arrives and refused at the first line past a limit.
 * Every request holds its body's size of INGEST_MAX_IN_FLIGHT_BYTES until it is answered, so
 * what all requests in progress hold together is bounded (503 with Retry-After past it).
 */
@RestController
class IngestController {

    static final String SOURCE = "cli-stream";

    private final EventParser parser;
    private final EventWriter writer;
    private final IngestProperties properties;
    private final IngestMetrics metrics;

    private final Capacity inFlight;

    IngestController(EventParser parser, EventWriter writer, IngestProperties properties, IngestMetrics metrics) {
        this.parser = parser;
        this.writer = writer;
        this.properties = properties;
        this.metrics = metrics;
        this.inFlight = new Capacity(properties.maxInFlightBytes().toBytes(), "ingest-busy",
                "Ingest requests in progress on this instance hold INGEST_MAX_IN_FLIGHT_BYTES of request bodies already.");
        metrics.gaugeInFlight(inFlight);
    }

    @PostMapping(path = Routes.INGEST, consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_NDJSON_VALUE})
    Mono<ResponseEntity<Map<String, Object>>> ingest(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        boolean ndjson = MediaType.APPLICATION_NDJSON.isCompatibleWith(request.getHeaders().getContentType());
        String keyId = keyId(exchange);
        // A body without a declared length may be as large as the limit: it holds that much. One
        // declared over the limit is refused with 413 before anything is read: it holds nothing.
        long declared = request.getHeaders().getContentLength();
        long maxBody = properties.maxBodySize().toBytes();
        long holds = declared > maxBody ? 0 : declared >= 0 ? declared : maxBody;
        return inFlight.within(holds, () -> ndjson ? ingestLines(request, keyId) : ingestJson(request, keyId));
    }

    private Mono<ResponseEntity<Map<String, Object>>> ingestLines(ServerHttpRequest request, String keyId) {
        int maxBatch = properties.maxBatchSize();
        return BodyLines.read(request, properties.maxBodySize().toBytes(), "INGEST_MAX_BODY_SIZE", lineLimit())
                .map(parser::readLine)
                .take(maxBatch + 1L)
                .collectList()
                .timeout(properties.readTimeout(), Mono.error(() -> BoundedBody.tooSlow(properties.readTimeout(), "INGEST_READ_TIMEOUT")))
                .flatMap(lines -> {
                    if (lines.size() > maxBatch) {
                        return Mono.error(InvalidEventException.batchTooLarge(maxBatch));
                    }
                    return ingestBatch(lines, keyId);
                });
    }

    private Mono<ResponseEntity<Map<String, Object>>> ingestJson(ServerHttpRequest request, String keyId) {
        return readBody(request).flatMap(body -> switch (parser.readJson(body)) {
            case EventParser.JsonBody.Batch batch -> ingestBatch(batch.events(), keyId);
            case EventParser.JsonBody.One one -> {
                long started = System.nanoTime();
                IngestEvent event;
                try {
                    event = parser.parse(one.event(), SOURCE).withKeyId(keyId);
                } catch (InvalidEventException e) {
                    metrics.record(typeOf(one.event()), "rejected", started);
                    throw e;
                }
                yield ingestOne(event, started);
            }
        });
    }

    /** An ndjson line is one event: a longer one is refused unread. */
    private int lineLimit() {
        return (int) Math.min(properties.maxEventSize().toBytes(), Integer.MAX_VALUE - 8);
    }

    private Mono<ResponseEntity<Map<String, Object>>> ingestOne(IngestEvent event, long started) {
        return measured(writer.write(event), event, started)
                .map(result -> IngestResponses.ack(event, result))
                .map(ack -> ResponseEntity.status(ack.status()).body(ack.body()));
    }

    private Mono<EventWriter.WriteResult> measured(Mono<EventWriter.WriteResult> write, IngestEvent event, long started) {
        String type = event.type().wireName();
        return write
                .doOnNext(result -> metrics.record(type, result.duplicate() ? "duplicate" : "stored", started))
                .doOnError(error -> metrics.record(type, outcomeOf(error), started));
    }

    /** The type a rejected event claimed, for metrics: only known types, so tags stay few. */
    private static String typeOf(JsonNode node) {
        JsonNode type = node == null ? null : node.get("type");
        return type != null && type.isString() && EventType.fromWireName(type.stringValue()).isPresent()
                ? type.stringValue() : "unknown";
    }

    /**
     * Each event is validated on its own and gets its own result; the valid ones are
     * written together, in order, in one group-commit transaction. If the database is
     * unreachable the whole request answers 503: the client retries it, and events that
     * did commit come back as duplicates.
     */
    private Mono<ResponseEntity<Map<String, Object>>> ingestBatch(List<ParsedLine> items, String keyId) {
        if (items.isEmpty()) {
            throw InvalidEventException.badBody("The batch is empty; send between 1 and " + properties.maxBatchSize() + " events.");
        }
        metrics.recordBatchSize(items.size());
        long started = System.nanoTime();
        ItemResult[] results = new ItemResult[items.size()];
        List<IngestEvent> valid = new ArrayList<>(items.size());
        List<Integer> validIndexes = new ArrayList<>(items.size());
        for (int index = 0; index < items.size(); index++) {
            ParsedLine item = items.get(index);
            try {
                if (item.error() != null) {
                    throw item.error();
                }
                valid.add(parser.parse(item.node(), SOURCE).withKeyId(keyId));
                validIndexes.add(index);
            } catch (InvalidEventException e) {
                metrics.record(typeOf(item.node()), "rejected", started);
                results[index] = new ItemResult(e.getStatusCode().value(), false, ProblemDocument.of(e));
            }
        }
        Mono<List<EventWriter.WriteResult>> written = valid.isEmpty() ? Mono.just(List.of()) : writer.writeAll(valid);
        return written
                .doOnError(error -> valid.forEach(event -> metrics.record(event.type().wireName(), outcomeOf(error), started)))
                .map(writes -> {
                    for (int i = 0; i < writes.size(); i++) {
                        IngestEvent event = valid.get(i);
                        EventWriter.WriteResult result = writes.get(i);
                        metrics.record(event.type().wireName(), result.duplicate() ? "duplicate" : "stored", started);
                        IngestResponses.Ack ack = IngestResponses.ack(event, result);
                        results[validIndexes.get(i)] = new ItemResult(ack.status().value(), result.duplicate(), ack.body());
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("accepted", Arrays.stream(results).filter(ItemResult::accepted).count());
                    body.put("duplicates", Arrays.stream(results).filter(ItemResult::duplicate).count());
                    body.put("rejected", Arrays.stream(results).filter(ItemResult::rejected).count());
                    body.put("results", IntStream.range(0, results.length)
                            .mapToObj(index -> results[index].render(index, items.get(index).line()))
                            .toList());
                    return ResponseEntity.ok(body);
                });
    }

    /** The id of the key that sent the request, recorded with what it stores (audit). */
    static String keyId(ServerWebExchange exchange) {
        return Caller.keyIdOf(exchange);
    }

    private static String outcomeOf(Throwable error) {
        return error instanceof DatabaseUnavailableException ? "unavailable" : "failed";
    }

    /** The outcome of one event of a batch: its status, and its acknowledgement or problem. */
    private record ItemResult(int status, boolean duplicate, Map<String, Object> body) {

        boolean accepted() {
            return status < 300 && !duplicate;
        }

        boolean rejected() {
            return status >= 300;
        }

        /** Where the event stood (index, and line for ndjson), its status, then its body. */
        Map<String, Object> render(int index, Integer line) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", index);
            if (line != null) {
                entry.put("line", line);
            }
            entry.put("status", status);
            entry.putAll(body);
            return entry;
        }
    }

    private Mono<byte[]> readBody(ServerHttpRequest request) {
        return BoundedBody.read(request, properties.maxBodySize().toBytes(), "INGEST_MAX_BODY_SIZE",
                properties.readTimeout(), "INGEST_READ_TIMEOUT");
    }
}
