package io.agentstream.problem;

import org.springframework.web.server.ServerWebExchange;

/**
 * The one source of a request's id: what the response's {@code X-Request-Id} header, the
 * problem bodies, the access log, Sentry and every log line written while serving the
 * request (the {@code request_id} MDC key) carry. It is the server's own id for the
 * exchange, never a value the client chose.
 */
public final class RequestIds {

    /** The MDC (and Reactor context) key of the request id. */
    public static final String MDC_KEY = "request_id";
    /** The MDC (and Reactor context) key of the W3C trace id an incoming {@code traceparent} named. */
    public static final String TRACE_MDC_KEY = "trace_id";
    public static final String HEADER = "X-Request-Id";

    private RequestIds() {
    }

    public static String of(ServerWebExchange exchange) {
        return exchange.getRequest().getId();
    }
}
