package io.agentstream.stream;

import java.util.List;
import java.util.Optional;
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
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
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
 *
 * <p>A functional route, not a controller method, and one that writes its response itself:
 * whatever handles the request stays referenced until the stream ends, and an annotated
 * method's invocation (its argument resolvers' cache of 256 slots, its binding context) and a
 * result handler's encoder were held by every open stream for its whole life (about 3 KB each,
 * load-test/RESULTS.md, issue 23).
 */
@Configuration(proxyBeanMethods = false)
class StreamRoute {

    private static final Logger log = LoggerFactory.getLogger(StreamRoute.class);
    /** Replayed frames gathered per write: one HTTP chunk and one flush instead of one per event. */
    static final int REPLAY_WRITE_BYTES = 64 * 1024;

    private final ConnectionRegistry registry;
    private final ResumePlanner planner;
    private final StreamHub hub;
    private final ClientAddresses clients;
    private final StreamProperties properties;
    private final StreamMetrics metrics;

    StreamRoute(ConnectionRegistry registry, ResumePlanner planner, StreamHub hub, ClientAddresses clients,
                     StreamProperties properties, StreamMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.planner = planner;
        this.hub = hub;
        this.clients = clients;
        this.properties = properties;
    }

    /**
     * GET only: another method on the path is refused by the access rules, which name none,
     * and answered 404 like any path without a route.
     */
    @Bean
    RouterFunction<ServerResponse> streamRouter() {
        return RouterFunctions.route().GET(Routes.STREAM, request -> ServerResponse.ok()
                // Status and headers are final only when the body starts: a refusal (503, 429) is
                // still a problem document.
                .build((exchange, context) -> Mono.defer(() -> stream(exchange)))).build();
    }

    private Mono<Void> stream(ServerWebExchange exchange) {
        StreamParams params = StreamQuery.stream(exchange.getRequest());
        if (hub.cursor() < 0) {
            metrics.rejected(StreamMetrics.Rejection.STARTING);
            return Mono.error(new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "stream-starting", "Stream unavailable",
                    "The stream has not read the event log yet.")
                    .withHeader(HttpHeaders.RETRY_AFTER, "1"));
        }
        String client = clients.clientAddress(exchange.getRequest());
        String caller = Caller.keyIdOf(exchange);
        String keyId = Optional.ofNullable(caller).orElse("-");
        Permit permit = registry.admit(clients.clientKey(exchange.getRequest()));
        ResumePlanner.Registration registration = planner.plan(params.filter(), params.resumeAfter(), caller);
        OpenStream open = new OpenStream();
        return registration.plan()
                .flatMap(plan -> {
                    if (params.resumeAfter() != null) {
                        metrics.resumed(plan.recovered());
                    }
                    RequestIds.inLogContext(exchange, () -> log.info(
                            "Stream opened: client={} key_id={} resume_after={} recovered={}", client, keyId,
                            params.resumeAfter() == null ? "-" : params.resumeAfter(), plan.recovered()));
                    open.started = System.nanoTime();
                    ServerHttpResponse response = exchange.getResponse();
                    HttpHeaders headers = response.getHeaders();
                    headers.setContentType(MediaType.TEXT_EVENT_STREAM);
                    headers.setCacheControl(CacheControl.noCache().noTransform());
                    headers.set("X-Accel-Buffering", "no");
                    return response.writeWith(body(plan, params.named(), response, open));
                })
                // Once, however it ends: also when the client goes away while its resume is planned.
                .doFinally(signal -> {
                    registration.cancel().run();
                    permit.release();
                    if (open.started == 0) {
                        return;
                    }
                    StreamMetrics.CloseReason reason = open.reason(signal);
                    long nanos = System.nanoTime() - open.started;
                    metrics.closed(reason, nanos);
                    RequestIds.inLogContext(exchange, () -> log.info(
                            "Stream closed: client={} key_id={} duration_ms={} events_sent={} reason={}",
                            client, keyId, TimeUnit.NANOSECONDS.toMillis(nanos), open.eventsSent, reason.tag()));
                });
    }

    /** What one open stream has done, for its close line and its duration metric. */
    private static final class OpenStream {

        /** When its body began ({@link System#nanoTime}); 0 while its resume is planned. */
        volatile long started;
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
        // Heartbeats come through the hub's queue too, on the instance's clock.
        Flux<DataBuffer> live = plan.live()
                .map(event -> {
                    if (!event.isHeartbeat()) {
                        open.eventsSent++;
                        metrics.delivered(event.committedAtMillis());
                    }
                    return buffers.wrap(event.frame(named));
                });
        return replay(plan.missed().doOnNext(event -> open.eventsSent++), named, buffers)
                .concatWith(live)
                // Ended by the hub at once, also while replaying: cut as a slow consumer, or its
                // lifetime is up. The live events also end by themselves when the instance shuts down.
                .takeUntilOther(plan.over())
                .concatWith(Mono.defer(() -> {
                    StreamMetrics.CloseReason ended = plan.ended().get();
                    if (ended != null) {
                        open.reason = ended;
                    }
                    if (ended == StreamMetrics.CloseReason.SLOW_CONSUMER) {
                        // Cut at once: waiting for its last bytes to drain could take forever.
                        closeConnection(response);
                        return Mono.empty();
                    }
                    if (ended == StreamMetrics.CloseReason.KEY_REVOKED) {
                        // Said, not hinted to come back: reconnecting with the key would be refused.
                        return Mono.just(buffers.wrap(SseFrames.keyRevoked(named)));
                    }
                    // Reconnect soon, at a spread-out moment.
                    return Mono.just(buffers.wrap(SseFrames.reconnect(Jitter.spread(properties.reconnectDelay()))));
                }))
                .startWith(Mono.fromSupplier(() -> buffers.wrap(
                        SseFrames.connected(plan.recovered(), named, properties.reconnectDelay()))))
                // The client went away: the server cancels the body, and the write then completes.
                .doOnCancel(() -> {
                    if (open.reason == null) {
                        open.reason = StreamMetrics.CloseReason.CLIENT;
                    }
                });
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

    /** Closes the connection without a last write. */
    private static void closeConnection(ServerHttpResponse response) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (nativeResponse instanceof HttpServerResponse netty) {
            netty.withConnection(Connection::dispose);
        }
    }
}
