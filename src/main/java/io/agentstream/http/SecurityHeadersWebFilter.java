package io.agentstream.http;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Headers every response carries: no MIME sniffing, no framing, no referrer, a Content
 * Security Policy that lets an API response load nothing, and HSTS when the request came
 * over TLS (directly, or as a trusted proxy's X-Forwarded-Proto says).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeadersWebFilter implements WebFilter {

    private final ClientAddresses clients;

    SecurityHeadersWebFilter(ClientAddresses clients) {
        this.clients = clients;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        if (overTls(exchange.getRequest())) {
            headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
        return chain.filter(exchange);
    }

    private boolean overTls(ServerHttpRequest request) {
        if (request.getSslInfo() != null) {
            return true;
        }
        String forwarded = request.getHeaders().getFirst("X-Forwarded-Proto");
        return forwarded != null && clients.fromTrustedProxy(request)
                && forwarded.strip().toLowerCase(java.util.Locale.ROOT).startsWith("https");
    }
}
