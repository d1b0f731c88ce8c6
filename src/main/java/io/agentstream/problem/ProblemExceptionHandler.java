package io.agentstream.problem;

import java.util.Map;

import io.sentry.Sentry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place errors become responses: every failure, whether raised by a controller,
 * a filter, routing (404, 405, 415) or a codec, leaves as {@code application/problem+json}.
 * Ordered before Spring Boot's own handler, which would answer with its non-standard
 * error document. Unexpected failures are logged with their stack trace here, scrubbed of
 * their messages ({@link SecretScrubber}), and answered with a generic 500 that reveals
 * nothing of the cause. Requests reach it through
 * {@code io.agentstream.observability.RequestObservationFilter}, inside the request's logging
 * context, so its log lines carry the request id without naming it.
 */
@Component
@Order(-3)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final JsonMapper jsonMapper;

    public ProblemExceptionHandler(JsonMapper jsonMapper) {
        this.jsonMapper = jsonMapper;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return afterCommit(exchange, failure);
        }
        ErrorResponse error = RequestIds.inLogContext(exchange, () -> toErrorResponse(failure, exchange));
        Map<String, Object> body = ProblemDocument.of(error);
        body.put("instance", exchange.getRequest().getPath().value());
        body.put("request_id", RequestIds.of(exchange));

        byte[] bytes = jsonMapper.writeValueAsBytes(body);
        response.setStatusCode(error.getStatusCode());
        HttpHeaders headers = response.getHeaders();
        headers.putAll(error.getHeaders());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(bytes.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /**
     * Too late for a problem document. A client that went away (a reset, a broken pipe) is not
     * the service's fault and not worth an ERROR: one INFO line, and the exchange ends as
     * Spring ends it for a lost client. Anything else is a bug: reported, and passed on for the
     * server to log as one ERROR line (the scrubbed failure's: its class, throwing frame and
     * causes) and to close the connection, so a cut body never looks complete.
     */
    private Mono<Void> afterCommit(ServerWebExchange exchange, Throwable failure) {
        if (DisconnectedClientHelper.isClientDisconnectedException(failure)) {
            if (log.isInfoEnabled()) {
                RequestIds.inLogContext(exchange, () -> log.atInfo().log(
                        "{} {}: the client went away after the response had begun ({}): {}",
                        exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                        exchange.getResponse().getStatusCode(), SecretScrubber.scrubbed(failure).toString()));
            }
            return Mono.empty();
        }
        report(failure, exchange);
        return Mono.error(SecretScrubber.scrubbed(failure));
    }

    private ErrorResponse toErrorResponse(Throwable failure, ServerWebExchange exchange) {
        if (failure instanceof ApiProblem outage && outage.outageReason() != null) {
            log.atWarn().log("{} {}: {} ({})", exchange.getRequest().getMethod(),
                            exchange.getRequest().getPath(), outage.getBody().getTitle().toLowerCase(java.util.Locale.ROOT),
                            outage.outageReason());
            return outage;
        }
        if (failure instanceof ErrorResponse errorResponse) {
            if (errorResponse.getStatusCode().is5xxServerError() && !(failure instanceof ApiProblem)) {
                log.atError().setCause(SecretScrubber.scrubbed(failure))
                        .log("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath());
                report(failure, exchange);
            } else if (log.isDebugEnabled()) {
                // An ApiProblem is a deliberate answer (a 503 from admission control, say): a
                // reconnect storm must not flood the log with them; metrics count them.
                // The problem's type and status only: details may quote the client's input.
                log.atDebug().log("{} {} rejected: {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                                errorResponse.getStatusCode().value(), errorResponse.getBody().getType());
            }
            return errorResponse;
        }
        if (failure instanceof DataBufferLimitException) {
            return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
                    "The request body exceeds the configured limit.");
        }
        log.atError().setCause(SecretScrubber.scrubbed(failure))
                .log("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath());
        report(failure, exchange);
        return new ApiProblem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal server error",
                "The server failed to handle the request; it has been logged with request id "
                        + RequestIds.of(exchange) + ".");
    }

    /**
     * Unexpected failures go to Sentry (a no-op without SENTRY_DSN), tagged with the request
     * id the client got; deliberate problems (4xx, 503) do not. What is sent is scrubbed by
     * {@code io.agentstream.ops.SentryScrubber}.
     */
    private static void report(Throwable failure, ServerWebExchange exchange) {
        Sentry.withScope(scope -> {
            scope.setTag("request_id", RequestIds.of(exchange));
            scope.setTag("route", exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value());
            Sentry.captureException(failure);
        });
    }
}
