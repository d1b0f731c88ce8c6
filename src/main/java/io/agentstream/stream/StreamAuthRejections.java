package io.agentstream.stream;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Counts stream connects refused by authentication ({@code agentstream_stream_rejections_total{reason="auth"}}).
 * Authentication refuses them before the stream endpoint runs, so they are counted from
 * outside it: ordered before the access layer, this sees what it answered, whether as a
 * failure (a 401/403 problem) or as a response it wrote itself.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class StreamAuthRejections implements WebFilter {

    static final String STREAM = "/api/realtime/stream";

    private final StreamMetrics metrics;

    StreamAuthRejections(StreamMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!STREAM.equals(exchange.getRequest().getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange)
                .doOnSuccess(done -> {
                    if (refused(exchange.getResponse().getStatusCode())) {
                        metrics.rejected(StreamMetrics.Rejection.AUTH);
                    }
                })
                .doOnError(error -> {
                    if (error instanceof ErrorResponse response && refused(response.getStatusCode())) {
                        metrics.rejected(StreamMetrics.Rejection.AUTH);
                    }
                });
    }

    private static boolean refused(HttpStatusCode status) {
        return status != null && (status.value() == 401 || status.value() == 403);
    }
}
