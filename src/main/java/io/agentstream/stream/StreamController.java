package io.agentstream.stream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.agentstream.http.Caller;
import io.agentstream.http.ClientAddresses;
import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.RequestIds;
import io.agentstream.stream.ConnectionRegistry.Permit;
import io.agentstream.stream.StreamQuery.StreamParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /api/realtime/stream}: a {@code retry:} line and a {@code connected} event,
 * the replay a resuming client missed, then live events, with heartbeat comments. A stream
 * ends with a reconnect hint when its lifetime is up or the instance shuts down, and is
 * cut when it falls SSE_MAX_PENDING events behind; either way the client resumes with
 * Last-Event-ID and loses nothing.
 *
 * <p>The body is written as bytes, not as {@code ServerSentEvent}s: every event's frame is
 * encoded once ({@link StreamEvent#frame}) and the same array is wrapped, not copied, for
 * each subscriber. A replay is written in writes of about {@link #REPLAY_WRITE_BYTES}.
 */
@RestController
class StreamController {

    private static final Logger log = LoggerFactory.getLogger(StreamController.class);
    /** Replayed frames gathered per write: one HTTP chunk and one flush instead of one per event. */
    static final int REPLAY_WRITE_BYTES = 64 * 1024;

    private final ConnectionRegistry registry;
    private final ResumePlanner planner;
    private final StreamHub hub;
    private final ClientAddresses clients;
    private final StreamProperties properties;
    private final StreamMetrics metrics;

    StreamController(ConnectionRegistry registry, ResumePlanner planner, StreamHub hub, ClientAddresses clients,
                     StreamProperties properties, StreamMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.planner = planner;
        this.hub = hub;
        this.clients = clients;
        this.properties = properties;
    }

    @GetMapping(path = Routes.STREAM)
    Mono<ResponseEntity<Flux<DataBuffer>>> stream(ServerWebExchange exchange) {
        StreamParams params = StreamQuery.stream(exchange.getRequest());
        if (hub.cursor() < 0) {
            metrics.rejected(StreamMetrics.Rejection.STARTING);
            return Mono.error(new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "stream-starting", "Stream unavailable",
                    "The stream has not read the event log yet.")
                    .withHeader(HttpHeaders.RETRY_AFTER, "1"));
        }
        String client = clients.clientAddress(exchange.getRequest());
        String keyId = Optional.ofNullable(Caller.keyIdOf(exchange)).orElse("-");
        Permit permit = registry.admit(client);
        return planner.plan(params.filter(), params.resumeAfter())
                .doOnError(error -> permit.release())
                .map(plan -> {
                    if (params.resumeAfter() != null) {
                        metrics.resumed(plan.recovered());
                    }
                    RequestIds.inLogContext(exchange, () -> log.info(
                            "Stream opened: client={} key_id={} resume_after={} recovered={}", client, keyId,
                            params.resumeAfter() == null ? "-" : params.resumeAfter(), plan.recovered()));
                    OpenStream open = new OpenStream();
                    Flux<DataBuffer> body = body(plan, params.named(), exchange.getResponse(), open)
                            .doFinally(signal -> {
                                plan.cancel().run();
                                permit.release();
                                StreamMetrics.CloseReason reason = open.reason(signal);
                                long nanos = System.nanoTime() - open.started;
                                metrics.closed(reason, nanos);
                                RequestIds.inLogContext(exchange, () -> log.info(
                                        "Stream closed: client={} key_id={} duration_ms={} events_sent={} reason={}",
                                        client, keyId, TimeUnit.NANOSECONDS.toMillis(nanos), open.eventsSent, reason.tag()));
                            });
                    return ResponseEntity.ok()
                            .contentType(MediaType.TEXT_EVENT_STREAM)
                            .cacheControl(CacheControl.noCache().noTransform())
                            .header("X-Accel-Buffering", "no")
                            .body(body);
                });
    }

    /** What one open stream has done, for its close line and its duration metric. */
    private static final class OpenStream {

        final long started = System.nanoTime();
        /** Written by the stream's serialised signals only. */
        volatile long eventsSent;
        volatile StreamMetrics.CloseReason reason;

        StreamMetrics.CloseReason reason(SignalType signal) {
            StreamMetrics.CloseReason known = reason;
            if (known != null) {
                return known;
            }
            return switch (signal) {
                case ON_COMPLETE -> StreamMetrics.CloseReason.LIFETIME;
                case ON_ERROR -> StreamMetrics.CloseReason.ERROR;
                default -> StreamMetrics.CloseReason.CLIENT;
            };
        }
    }

    private Flux<DataBuffer> body(ResumePlanner.Plan plan, boolean named, ServerHttpResponse response, OpenStream open) {
        DataBufferFactory buffers = response.bufferFactory();
        Sinks.Empty<Void> eventsEnded = Sinks.empty();
        Flux<DataBuffer> live = plan.live()
                .map(event -> {
                    open.eventsSent++;
                    metrics.delivered(event.committedAtMillis());
                    return buffers.wrap(event.frame(named));
                })
                // The live events end by themselves only when the instance shuts down.
                .doOnComplete(() -> open.reason = StreamMetrics.CloseReason.SHUTDOWN);
        Flux<DataBuffer> events = replay(plan.missed().doOnNext(event -> open.eventsSent++), named, buffers)
                .concatWith(live)
                .doOnTerminate(eventsEnded::tryEmitEmpty);
        // A tick the client cannot take yet is dropped: it has unread data, so it needs no
        // heartbeat, and an interval without demand would otherwise end the stream with an error
        // before the hub could tell it is a slow consumer.
        Flux<DataBuffer> heartbeats = Flux.interval(properties.heartbeatInterval(), properties.heartbeatInterval())
                .onBackpressureDrop()
                .map(tick -> buffers.wrap(SseFrames.HEARTBEAT))
                .takeUntilOther(eventsEnded.asMono());
        // Prefetch 1: the subscriber's hub queue (SSE_MAX_PENDING) is the buffer that counts,
        // so a slow client is detected there instead of hiding in operator queues.
        return Flux.merge(1, events, heartbeats)
                .take(jittered(properties.maxLifetime()))
                // Reconnect soon, at a spread-out moment.
                .concatWith(Mono.fromSupplier(() -> buffers.wrap(SseFrames.reconnect(jittered(properties.reconnectDelay())))))
                .onErrorResume(StreamHub.SlowConsumerException.class, error -> {
                    open.reason = StreamMetrics.CloseReason.SLOW_CONSUMER;
                    closeConnection(response);
                    return Flux.empty();
                })
                .startWith(Mono.fromSupplier(() -> buffers.wrap(
                        SseFrames.connected(plan.recovered(), named, properties.reconnectDelay()))));
    }

    /** The missed events' frames, gathered into writes of about {@link #REPLAY_WRITE_BYTES}. */
    private static Flux<DataBuffer> replay(Flux<StreamEvent> missed, boolean named, DataBufferFactory buffers) {
        return Flux.defer(() -> {
            int[] gathered = {0};
            return missed.bufferUntil(event -> {
                gathered[0] += event.frame(named).length;
                if (gathered[0] < REPLAY_WRITE_BYTES) {
                    return false;
                }
                gathered[0] = 0;
                return true;
            });
        }).map(batch -> join(batch, named, buffers));
    }

    private static DataBuffer join(List<StreamEvent> batch, boolean named, DataBufferFactory buffers) {
        if (batch.size() == 1) {
            return buffers.wrap(batch.getFirst().frame(named));
        }
        int size = 0;
        for (StreamEvent event : batch) {
            size += event.frame(named).length;
        }
        byte[] joined = new byte[size];
        int at = 0;
        for (StreamEvent event : batch) {
            byte[] frame = event.frame(named);
            System.arraycopy(frame, 0, joined, at, frame.length);
            at += frame.length;
        }
        return buffers.wrap(joined);
    }

    /** ±20%, so streams opened together do not all end, or reconnect, together. */
    private static Duration jittered(Duration base) {
        double factor = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * factor)));
    }

    /** A slow consumer is cut at once: waiting for its last bytes to drain could take forever. */
    private static void closeConnection(ServerHttpResponse response) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (nativeResponse instanceof HttpServerResponse netty) {
            netty.withConnection(Connection::dispose);
        }
    }
}
