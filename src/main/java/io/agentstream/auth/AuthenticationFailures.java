package io.agentstream.auth;

import io.agentstream.auth.AuthFailureThrottle;
import io.agentstream.http.ClientAddresses;
import io.agentstream.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * How a refused request is answered, as a problem document rendered by the one error handler:
 * no key, a malformed, unknown or revoked key, or a bad stream token are the same 401 (a
 * caller learns nothing about which keys exist), and each counts against the client's
 * address; past RATE_LIMIT_AUTH_FAILURES a minute they are 429 instead. A valid key is never
 * counted or throttled here: whoever shares its address, it answers to its own rate limits.
 * A valid key without the scope a route needs is a 403 naming the scope.
 */
final class AuthenticationFailures
        implements ServerAuthenticationEntryPoint, ServerAuthenticationFailureHandler, ServerAccessDeniedHandler {

    private static final String CHALLENGE = "Bearer realm=\"agentstream\"";

    private final AuthFailureThrottle throttle;
    private final ClientAddresses clients;
    private final AccessRules rules;
    private final Handlers handlers;
    private final Counter unauthenticated;
    private final Counter forbidden;

    AuthenticationFailures(AuthFailureThrottle throttle, ClientAddresses clients, AccessRules rules, Handlers handlers,
                           MeterRegistry meters) {
        this.throttle = throttle;
        this.clients = clients;
        this.rules = rules;
        this.handlers = handlers;
        this.unauthenticated = failures(meters, "unauthenticated");
        this.forbidden = failures(meters, "forbidden");
    }

    private static Counter failures(MeterRegistry meters, String reason) {
        return Counter.builder("agentstream.auth.failures")
                .description("Requests refused for a missing, unknown or insufficient key")
                .tag("reason", reason).register(meters);
    }

    /** No credentials on a route that needs them. */
    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException failure) {
        return refuse(exchange);
    }

    /** Credentials that match no active key, or a bad stream token. */
    @Override
    public Mono<Void> onAuthenticationFailure(WebFilterExchange exchange, AuthenticationException failure) {
        return refuse(exchange.getExchange());
    }

    /**
     * A valid caller without the scope a rule names: 403. A request no rule names is refused
     * too; where no handler would take it either, it gets the router's own answer (404, or
     * 405 for a known path with another method), since there is nothing there to protect.
     */
    @Override
    public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
        return rules.ruleFor(exchange).flatMap(rule -> {
            if (rule.isPresent()) {
                forbidden.increment();
                return Mono.error(forbidden("This key lacks the '" + rule.get().scope().wireName() + "' scope this endpoint needs."));
            }
            return handlers.anyHandles(exchange).flatMap(handled -> {
                if (!handled) {
                    return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
                }
                forbidden.increment();
                return Mono.error(forbidden("No access rule opens this endpoint to this key."));
            });
        });
    }

    /** Whether any controller or actuator endpoint would take a request; a wrong method propagates as 405. */
    interface Handlers {
        Mono<Boolean> anyHandles(ServerWebExchange exchange);
    }

    private Mono<Void> refuse(ServerWebExchange exchange) {
        unauthenticated.increment();
        return throttle.recordFailure(clients.clientKey(exchange.getRequest()))
                .flatMap(wait -> Mono.error(wait > 0 ? tooManyFailures(wait) : unauthorized()));
    }

    private static ApiProblem unauthorized() {
        return new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                "A valid API key is required: send Authorization: Bearer <key> (or, on the stream, a valid access_token).")
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }

    private static ApiProblem forbidden(String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, "insufficient-scope", "Forbidden", detail)
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE + ", error=\"insufficient_scope\"");
    }

    private static ApiProblem tooManyFailures(long seconds) {
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "too-many-auth-failures", "Too many failed attempts",
                "Too many requests with invalid keys from this client; try again later.")
                .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, seconds)));
    }
}
