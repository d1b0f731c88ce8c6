package io.agentstream.auth;

import java.util.Locale;

import io.agentstream.http.ClientAddresses;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.web.server.header.ServerHttpHeadersWriter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * HSTS when the request came over TLS: directly, or as a trusted proxy's X-Forwarded-Proto
 * says (Spring Security's own writer sees only the scheme of the connection, which is plain
 * HTTP behind a TLS-terminating proxy; and an untrusted client must not be able to claim TLS).
 */
final class TlsAwareHsts implements ServerHttpHeadersWriter {

    static final String VALUE = "max-age=31536000; includeSubDomains";

    private final ClientAddresses clients;

    TlsAwareHsts(ClientAddresses clients) {
        this.clients = clients;
    }

    @Override
    public Mono<Void> writeHttpHeaders(ServerWebExchange exchange) {
        if (overTls(exchange.getRequest())) {
            exchange.getResponse().getHeaders().set("Strict-Transport-Security", VALUE);
        }
        return Mono.empty();
    }

    private boolean overTls(ServerHttpRequest request) {
        if (request.getSslInfo() != null) {
            return true;
        }
        String forwarded = request.getHeaders().getFirst("X-Forwarded-Proto");
        return forwarded != null && clients.fromTrustedProxy(request)
                && forwarded.strip().toLowerCase(Locale.ROOT).startsWith("https");
    }
}
