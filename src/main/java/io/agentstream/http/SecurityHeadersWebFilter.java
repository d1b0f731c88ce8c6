package io.agentstream.http;

import java.util.List;

import io.agentstream.dashboard.DashboardPaths;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Headers every response carries: no MIME sniffing, no framing, no referrer, a Content
 * Security Policy that lets an API response load nothing (the dashboard's page and assets
 * get {@link DashboardPaths#CONTENT_SECURITY_POLICY}), and HSTS when the request came
 * over TLS (directly, or as a trusted proxy's X-Forwarded-Proto says).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeadersWebFilter implements WebFilter {

    private static final List<PathPattern> DASHBOARD = DashboardPaths.PUBLIC_PATTERNS.stream()
            .map(PathPatternParser.defaultInstance::parse).toList();

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
        headers.set("Content-Security-Policy", isDashboard(exchange.getRequest())
                ? DashboardPaths.CONTENT_SECURITY_POLICY : "default-src 'none'; frame-ancestors 'none'");
        if (overTls(exchange.getRequest())) {
            headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        }
        return chain.filter(exchange);
    }

    /** The dashboard's page and assets may load their own scripts and styles; nothing else may. */
    private static boolean isDashboard(ServerHttpRequest request) {
        if (!HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod())) {
            return false;
        }
        PathContainer path = request.getPath().pathWithinApplication();
        return DASHBOARD.stream().anyMatch(pattern -> pattern.matches(path));
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
