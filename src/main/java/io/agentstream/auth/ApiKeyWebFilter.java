package io.agentstream.auth;

import java.util.Set;

import io.agentstream.problem.ApiProblem;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Every {@code /api/**} request but the health check (and, with STREAM_PUBLIC, the stream)
 * needs {@code Authorization: Bearer <key>}, and so do the actuator's endpoints other than
 * the health probes when they share the service's port (with MANAGEMENT_PORT they move to a
 * port of their own, which this filter does not cover: keep that port private).
 * Missing, malformed and unknown keys get the same 401, so a caller learns nothing about
 * which keys exist.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyWebFilter implements WebFilter {

    private static final String BEARER = "Bearer ";

    private static final Set<String> STREAM_PATHS = Set.of("/api/realtime/stream", "/api/events");

    private final ApiKeyAuthenticator authenticator;
    private final boolean publicStream;

    ApiKeyWebFilter(ApiKeyAuthenticator authenticator, AuthProperties properties) {
        this.authenticator = authenticator;
        this.publicStream = properties.publicStream();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean actuator = path.startsWith("/actuator/") && !path.startsWith("/actuator/health");
        if ((!path.startsWith("/api/") && !actuator) || path.equals("/api/health")
                || (publicStream && STREAM_PATHS.contains(path))) {
            return chain.filter(exchange);
        }
        String key = bearerKey(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            return Mono.error(unauthorized());
        }
        return authenticator.authenticate(key)
                .switchIfEmpty(Mono.error(ApiKeyWebFilter::unauthorized))
                .flatMap(principal -> {
                    exchange.getAttributes().put(ApiKeyPrincipal.EXCHANGE_ATTRIBUTE, principal);
                    return chain.filter(exchange);
                });
    }

    private static String bearerKey(String header) {
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).strip();
        return key.isEmpty() ? null : key;
    }

    private static ApiProblem unauthorized() {
        return new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                "A valid API key is required: send Authorization: Bearer <key>.")
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentstream\"");
    }
}
