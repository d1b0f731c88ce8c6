package io.agentstream.auth;

import java.util.Optional;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.http.ClientAddresses;
import io.agentstream.problem.ApiProblem;
import io.agentstream.ratelimit.AuthFailureThrottle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Every request to {@code /api/**} (but health, and with STREAM_PUBLIC the stream) and to the
 * actuator's non-health endpoints needs {@code Authorization: Bearer <key>} with the scope
 * {@link AccessPolicy} names; the stream also takes a stream token in {@code access_token}.
 * Missing, malformed, unknown and revoked keys get the same 401, so a caller learns nothing
 * about which keys exist; a valid key without the scope gets 403. A client that fails too
 * often is throttled (429) before its keys are checked. (With MANAGEMENT_PORT the actuator
 * runs on a port this filter does not cover: keep that port private.)
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyWebFilter implements WebFilter {

    private static final String BEARER = "Bearer ";
    private static final String STREAM = "/api/realtime/stream";

    private final ApiKeyAuthenticator authenticator;
    private final StreamTokens tokens;
    private final AuthFailureThrottle throttle;
    private final ClientAddresses clients;
    private final boolean publicStream;
    private final MeterRegistry meters;

    ApiKeyWebFilter(ApiKeyAuthenticator authenticator, StreamTokens tokens, AuthFailureThrottle throttle,
                    ClientAddresses clients, AuthProperties properties, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.throttle = throttle;
        this.clients = clients;
        this.publicStream = properties.publicStream();
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        Scope required = AccessPolicy.required(request.getMethod(), path, publicStream);
        if (required == null) {
            return chain.filter(exchange);
        }
        String client = clients.clientAddress(request);
        if (throttle.blocked(client)) {
            return Mono.error(tooManyFailures(60));
        }
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        String token = request.getQueryParams().getFirst("access_token");
        Mono<ApiKeyPrincipal> principal;
        if (authorization == null && token != null && path.equals(STREAM)) {
            principal = Mono.justOrEmpty(tokens.verify(token).filter(p -> boundConversationMatches(p, request)));
        } else {
            String key = bearerKey(authorization);
            principal = key == null ? Mono.empty() : authenticator.authenticate(key);
        }
        return principal
                .switchIfEmpty(Mono.defer(() -> fail(client, "unauthenticated")))
                .flatMap(caller -> {
                    if (!caller.has(required)) {
                        countFailure("forbidden");
                        return Mono.error(forbidden(required));
                    }
                    exchange.getAttributes().put(ApiKeyPrincipal.EXCHANGE_ATTRIBUTE, caller);
                    return chain.filter(exchange);
                });
    }

    /** A bound token reads its own conversation only: the request must filter on exactly it. */
    private static boolean boundConversationMatches(ApiKeyPrincipal principal, ServerHttpRequest request) {
        if (principal.conversationId() == null) {
            return true;
        }
        String requested = Optional.ofNullable(request.getQueryParams().getFirst("conversation_id"))
                .orElse(request.getQueryParams().getFirst("conversationId"));
        return principal.conversationId().equals(requested);
    }

    private Mono<ApiKeyPrincipal> fail(String client, String reason) {
        countFailure(reason);
        return throttle.recordFailure(client)
                .flatMap(wait -> Mono.error(wait > 0 ? tooManyFailures(wait) : unauthorized()));
    }

    private void countFailure(String reason) {
        Counter.builder("agentstream.auth.failures").description("Requests refused for a missing, unknown or insufficient key")
                .tag("reason", reason).register(meters).increment();
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
                "A valid API key is required: send Authorization: Bearer <key> (or, on the stream, a valid access_token).")
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentstream\"");
    }

    private static ApiProblem forbidden(Scope required) {
        return new ApiProblem(HttpStatus.FORBIDDEN, "insufficient-scope", "Forbidden",
                "This key lacks the '" + required.wireName() + "' scope this endpoint needs.")
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentstream\", error=\"insufficient_scope\"");
    }

    private static ApiProblem tooManyFailures(long seconds) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "too-many-auth-failures", "Too many failed attempts",
                "Too many requests with invalid keys from this client; try again later.")
                .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, seconds)));
    }
}
