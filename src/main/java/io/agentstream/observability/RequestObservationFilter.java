package io.agentstream.observability;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.agentstream.http.Caller;
import io.agentstream.http.ClientAddresses;
import io.agentstream.problem.ProblemExceptionHandler;
import io.agentstream.problem.RequestIds;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The outermost filter, before authentication, so that every request is covered, refused
 * ones included. It
 * <ul>
 * <li>answers with {@code X-Request-Id};</li>
 * <li>keeps the trace id of an incoming W3C {@code traceparent} with the exchange, so that the
 *     request's log lines ({@link RequestIds#inLogContext}) carry it beside the request id;</li>
 * <li>turns failures into problem responses here, so the status is final when the request is
 *     logged and the failure's log line carries the request id;</li>
 * <li>writes the access log (ACCESS_LOG): one line per request when it ends, with method,
 *     route (the path without its query, which may hold a stream token), status, duration,
 *     bytes, client address, key id and request id. Never a key, token or query string.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestObservationFilter implements WebFilter {

    /** Its own logger, so operators can route or silence the access log alone. */
    private static final Logger accessLog = LoggerFactory.getLogger("io.agentstream.access");

    private final ProblemExceptionHandler problems;
    private final ClientAddresses clients;
    private final boolean logAccess;

    RequestObservationFilter(ProblemExceptionHandler problems, ClientAddresses clients, ObservabilityProperties properties) {
        this.problems = problems;
        this.clients = clients;
        this.logAccess = properties.accessLog();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long started = System.nanoTime();
        String requestId = RequestIds.of(exchange);
        String traceId = TraceParent.traceId(exchange.getRequest().getHeaders().getFirst("traceparent"));
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
        if (traceId != null) {
            exchange.getAttributes().put(RequestIds.TRACE_ATTRIBUTE, traceId);
        }
        if (!logAccess) {
            return chain.filter(exchange).onErrorResume(error -> problems.handle(exchange, error));
        }
        CountingResponse response = new CountingResponse(exchange.getResponse());
        ServerWebExchange counted = exchange.mutate().response(response).build();
        return chain.filter(counted)
                .onErrorResume(error -> problems.handle(counted, error))
                .doFinally(signal -> logAccess(counted, response, started, requestId, traceId));
    }

    private void logAccess(ServerWebExchange exchange, CountingResponse response, long started, String requestId,
                           String traceId) {
        if (!accessLog.isInfoEnabled()) {
            return;
        }
        ServerHttpRequest request = exchange.getRequest();
        HttpStatusCode status = response.getStatusCode();
        String method = request.getMethod().name();
        String route = request.getPath().value();
        int code = status == null ? 0 : status.value();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String client = clients.clientAddress(request);
        String keyId = Optional.ofNullable(Caller.keyIdOf(exchange)).orElse("-");
        RequestIds.inLogContext(exchange, () -> accessLog.atInfo()
                .addKeyValue("http_method", method).addKeyValue("route", route).addKeyValue("status", code)
                .addKeyValue("duration_ms", millis).addKeyValue("bytes", response.bytes())
                .addKeyValue("client", client).addKeyValue("key_id", keyId)
                .log("method={} route={} status={} duration_ms={} bytes={} client={} key_id={} request_id={}{}",
                        method, route, code, millis, response.bytes(), client, keyId, requestId,
                        traceId == null ? "" : " trace_id=" + traceId));
    }

    /** Counts the body bytes written (before any compression). */
    private static final class CountingResponse extends ServerHttpResponseDecorator {

        private volatile long bytes;

        CountingResponse(ServerHttpResponse delegate) {
            super(delegate);
        }

        long bytes() {
            return bytes;
        }

        private void count(DataBuffer buffer) {
            bytes += buffer.readableByteCount();
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            // A Mono stays a Mono: the server treats a single-buffer body specially.
            Publisher<? extends DataBuffer> counted = body instanceof Mono<? extends DataBuffer> mono
                    ? mono.doOnNext(this::count) : Flux.from(body).doOnNext(this::count);
            return super.writeWith(counted);
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return super.writeAndFlushWith(Flux.from(body).map(part -> Flux.from(part).doOnNext(this::count)));
        }
    }
}
