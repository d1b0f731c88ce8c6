package io.agentstream.problem;

import java.util.function.Supplier;

import org.slf4j.MDC;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one source of a request's id: what the response's {@code X-Request-Id} header, the
 * problem bodies, the access log, Sentry and the service's own log lines about a request
 * (the {@code request_id} MDC key) carry. It is the server's own id for the exchange, never
 * a value the client chose.
 */
public final class RequestIds {

    /** The MDC key of the request id. */
    public static final String MDC_KEY = "request_id";
    /** The MDC key of the W3C trace id an incoming {@code traceparent} named. */
    public static final String TRACE_MDC_KEY = "trace_id";
    public static final String HEADER = "X-Request-Id";
    /** The exchange attribute holding the trace id of the request's {@code traceparent}, when it had one. */
    public static final String TRACE_ATTRIBUTE = RequestIds.class.getName() + ".traceId";

    private RequestIds() {
    }

    public static String of(ServerWebExchange exchange) {
        return exchange.getRequest().getId();
    }

    /**
     * Runs {@code logging} with the request's ids in the MDC, then puts back what was there.
     * Log lines about a request go through here rather than through Reactor's automatic
     * thread-local propagation: restoring the MDC on every operator of every request cost
     * about a quarter of the service's CPU per ingested event (load-test/RESULTS.md).
     */
    public static void inLogContext(ServerWebExchange exchange, Runnable logging) {
        inLogContext(exchange, () -> {
            logging.run();
            return null;
        });
    }

    /** {@link #inLogContext(ServerWebExchange, Runnable)} for work that logs and answers. */
    public static <T> T inLogContext(ServerWebExchange exchange, Supplier<T> logging) {
        String previousRequest = MDC.get(MDC_KEY);
        String previousTrace = MDC.get(TRACE_MDC_KEY);
        MDC.put(MDC_KEY, of(exchange));
        String traceId = exchange.getAttribute(TRACE_ATTRIBUTE);
        if (traceId != null) {
            MDC.put(TRACE_MDC_KEY, traceId);
        }
        try {
            return logging.get();
        } finally {
            restore(MDC_KEY, previousRequest);
            restore(TRACE_MDC_KEY, previousTrace);
        }
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
