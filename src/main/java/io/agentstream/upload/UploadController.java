package io.agentstream.upload;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.agentstream.database.DatabaseErrors;
import io.agentstream.database.DatabaseUnavailableException;
import io.agentstream.event.EventsCommitted;
import io.agentstream.http.BoundedBody;
import io.agentstream.http.Caller;
import io.agentstream.http.Capacity;
import io.agentstream.http.Routes;
import io.agentstream.ingest.EventLogIngest;
import io.agentstream.ingest.IngestProperties;
import io.agentstream.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /api/sessions/upload}: a recorded session, as JSON {conversation, agents,
 * messages} or as the CLI's ndjson event log. One transaction: any invalid message rejects
 * the whole upload and nothing is stored. The same upload again stores nothing and says
 * {@code duplicate: true}. At most UPLOAD_MAX_CONCURRENT uploads run at once per instance
 * (503 with Retry-After beyond), so what uploads hold is bounded by that times UPLOAD_MAX_BYTES.
 */
@RestController
class UploadController {

    static final String SOURCE = "cli-upload";
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(2);

    private final UploadProperties properties;
    private final SessionUploadReader reader;
    private final SessionWriter writer;
    private final EventLogUpload eventLogs;
    private final TransactionalOperator transactions;
    private final ApplicationEventPublisher publisher;
    private final Duration readTimeout;
    private final MeterRegistry meters;
    private final EventLogIngest ingest;
    private final Capacity running;
    private final DistributionSummary uploadBytes;
    private final DistributionSummary uploadMessages;

    UploadController(UploadProperties properties, SessionUploadReader reader, SessionWriter writer, EventLogUpload eventLogs,
                     TransactionalOperator transactions, ApplicationEventPublisher publisher,
                     IngestProperties ingestProperties, EventLogIngest ingest, MeterRegistry meters) {
        this.properties = properties;
        this.reader = reader;
        this.writer = writer;
        this.eventLogs = eventLogs;
        this.transactions = transactions;
        this.publisher = publisher;
        this.readTimeout = ingestProperties.readTimeout();
        this.meters = meters;
        this.ingest = ingest;
        this.running = new Capacity(properties.maxConcurrent(), "uploads-busy",
                "This instance runs UPLOAD_MAX_CONCURRENT uploads already.");
        Gauge.builder("agentstream.upload.running", running, Capacity::used)
                .description("Uploads in progress (UPLOAD_MAX_CONCURRENT bounds it)").register(meters);
        this.uploadBytes = DistributionSummary.builder("agentstream.upload.size").baseUnit("bytes")
                .description("Session upload body sizes")
                .serviceLevelObjectives(10e3, 100e3, 1e6, 5e6, 10e6, 25e6, 50e6, 100e6).register(meters);
        this.uploadMessages = DistributionSummary.builder("agentstream.upload.messages")
                .description("Messages stored per session upload")
                .serviceLevelObjectives(1, 10, 100, 1_000, 10_000, 100_000).register(meters);
    }

    @PostMapping(Routes.UPLOAD)
    Mono<ResponseEntity<Map<String, Object>>> upload(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        String keyId = Caller.keyIdOf(exchange);
        MediaType type = request.getHeaders().getContentType();
        boolean ndjson = type != null && (type.isCompatibleWith(MediaType.APPLICATION_NDJSON)
                || type.isCompatibleWith(MediaType.parseMediaType("application/jsonl")));
        if (type == null || !(ndjson || type.isCompatibleWith(MediaType.APPLICATION_JSON))) {
            return Mono.error(new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "Unsupported media type", "Send application/json ({conversation, agents, messages}) or "
                    + "application/x-ndjson (the CLI's event log)."));
        }
        return running.within(1, () -> (ndjson ? uploadEventLog(request, keyId) : uploadSession(request, keyId))
                .timeout(UPLOAD_TIMEOUT))
                .onErrorMap(DatabaseErrors::isUnavailable, DatabaseUnavailableException::new)
                .doOnSuccess(result -> {
                    count(ndjson, result.duplicate() ? "duplicate" : "created");
                    uploadMessages.record(result.messagesCreated());
                    if (!result.duplicate()) {
                        publisher.publishEvent(EventsCommitted.INSTANCE);
                    }
                })
                .doOnError(error -> count(ndjson, error instanceof ApiProblem problem
                        && problem.getStatusCode().is4xxClientError() ? "rejected" : "failed"))
                .map(UploadController::response);
    }

    /**
     * The body held once on the heap, parsed as a stream off the event loop: parsing and
     * checking tens of megabytes takes a while, and other connections share that loop.
     */
    private Mono<UploadResult> uploadSession(ServerHttpRequest request, String keyId) {
        return BoundedBody.read(request, properties.maxBytes().toBytes(), "UPLOAD_MAX_BYTES", readTimeout, "INGEST_READ_TIMEOUT")
                .doOnNext(body -> uploadBytes.record(body.length))
                .publishOn(Schedulers.boundedElastic())
                .map(reader::read)
                .flatMap(upload -> transactions.transactional(writer.write(upload, keyId)));
    }

    /**
     * Read and checked line by line as the body arrives (never held whole), then replayed in
     * one transaction once every line is known to be good.
     */
    private Mono<UploadResult> uploadEventLog(ServerHttpRequest request, String keyId) {
        long declared = request.getHeaders().getContentLength();
        return eventLogs.parse(ingest.read(request, properties.maxBytes().toBytes(), "UPLOAD_MAX_BYTES", SOURCE))
                .timeout(readTimeout, Mono.error(() -> BoundedBody.tooSlow(readTimeout, "INGEST_READ_TIMEOUT")))
                .doOnNext(events -> {
                    if (declared >= 0) {
                        uploadBytes.record(declared);
                    }
                })
                .flatMap(events -> transactions.transactional(
                        eventLogs.write(events.stream().map(e -> new EventLogUpload.Sized(e.event().withKeyId(keyId), e.bytes()))
                                .toList(), keyId)));
    }

    /** {@code agentstream_uploads_total{format, outcome}}: created, duplicate, rejected, failed. */
    private void count(boolean ndjson, String outcome) {
        Counter.builder("agentstream.uploads").description("Session uploads by format and outcome")
                .tag("format", ndjson ? "ndjson" : "json").tag("outcome", outcome).register(meters).increment();
    }

    private static ResponseEntity<Map<String, Object>> response(UploadResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("conversation_id", result.conversationId());
        body.put("messages_created", result.messagesCreated());
        body.put("agents_created", result.agentsCreated());
        body.put("total_tokens", result.totalTokens());
        body.put("total_cost", result.totalCost());
        if (result.duplicate()) {
            body.put("duplicate", true);
        }
        return ResponseEntity.status(result.duplicate() ? HttpStatus.OK : HttpStatus.CREATED).body(body);
    }
}
