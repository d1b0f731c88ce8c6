package io.agentstream.auth;

import java.util.List;

import io.agentstream.http.DashboardPaths;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.web.server.header.ServerHttpHeadersWriter;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Gives the dashboard's page and assets {@link DashboardPaths#CONTENT_SECURITY_POLICY} in place
 * of the API's policy. Runs after the security chain's own header writers, so it replaces the
 * policy they set; every other response keeps the API's.
 */
final class DashboardHeaders implements ServerHttpHeadersWriter {

    private static final List<PathPattern> PAGE = DashboardPaths.PUBLIC_PATTERNS.stream()
            .map(PathPatternParser.defaultInstance::parse).toList();

    @Override
    public Mono<Void> writeHttpHeaders(ServerWebExchange exchange) {
        if (isDashboard(exchange.getRequest())) {
            exchange.getResponse().getHeaders().set("Content-Security-Policy", DashboardPaths.CONTENT_SECURITY_POLICY);
        }
        return Mono.empty();
    }

    static boolean isDashboard(ServerHttpRequest request) {
        if (!HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod())) {
            return false;
        }
        PathContainer path = request.getPath().pathWithinApplication();
        return PAGE.stream().anyMatch(pattern -> pattern.matches(path));
    }
}
