package io.agentstream.auth;

import java.util.Optional;

import io.agentstream.auth.PresentedCredentials.BearerKey;
import io.agentstream.auth.PresentedCredentials.StreamToken;
import io.agentstream.http.Routes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.util.matcher.PathPatternParserServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Reads {@code Authorization: Bearer <key>}; on the stream, without that header, the
 * {@code access_token} query parameter (browsers' EventSource cannot send headers). Nothing
 * presented (or another scheme) is empty: the request goes on anonymous, and authorisation
 * refuses it wherever a scope is needed.
 */
final class ApiKeyAuthenticationConverter implements ServerAuthenticationConverter {

    private static final String BEARER = "Bearer ";
    private static final ServerWebExchangeMatcher STREAM =
            new PathPatternParserServerWebExchangeMatcher(Routes.STREAM, HttpMethod.GET);

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String key = bearerKey(authorization);
            return key == null ? Mono.empty() : Mono.just(new PresentedCredentials(new BearerKey(key)));
        }
        String token = request.getQueryParams().getFirst("access_token");
        if (token == null) {
            return Mono.empty();
        }
        String conversation = Optional.ofNullable(request.getQueryParams().getFirst("conversation_id"))
                .orElse(request.getQueryParams().getFirst("conversationId"));
        return STREAM.matches(exchange).filter(ServerWebExchangeMatcher.MatchResult::isMatch)
                .map(match -> new PresentedCredentials(new StreamToken(token, conversation)));
    }

    private static String bearerKey(String header) {
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).strip();
        return key.isEmpty() ? null : key;
    }
}
