package io.agentstream.ratelimit;

import java.time.Duration;

import io.agentstream.auth.ApiKeyPrincipal;
import io.agentstream.http.ClientAddresses;
import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
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
 * Rate limits per endpoint group, per API key and per client address (after the security
 * chain, which runs at order -100, so the key is known and refused requests never get here). Every limited response carries {@code RateLimit-Limit},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} (seconds until the quota is full
 * again), of whichever of the two buckets is closer to empty; a refusal is a 429 problem
 * with {@code Retry-After}.
 */
@Component
@Order(-90)
class RateLimitWebFilter implements WebFilter {

    private final RateLimitProperties properties;
    private final Buckets buckets;
    private final ClientAddresses clients;
    private final MeterRegistry meters;

    RateLimitWebFilter(RateLimitProperties properties, Buckets buckets, ClientAddresses clients, MeterRegistry meters) {
        this.properties = properties;
        this.buckets = buckets;
        this.clients = clients;
        this.meters = meters;
    }

    private record Group(String name, long perMinute) {
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        Group group = properties.enabled() ? group(request.getMethod(), request.getPath().pathWithinApplication()) : null;
        if (group == null) {
            return chain.filter(exchange);
        }
        ApiKeyPrincipal caller = exchange.getAttribute(ApiKeyPrincipal.EXCHANGE_ATTRIBUTE);
        String client = clients.clientKey(request);
        Mono<ConsumptionProbe> byAddress = buckets.consume(group.name() + ":ip:" + client, group.perMinute());
        Mono<ConsumptionProbe> byKey = caller == null ? Mono.empty()
                : buckets.consume(group.name() + ":key:" + caller.id(), group.perMinute());
        return byAddress.zipWith(byKey.defaultIfEmpty(unlimited()), RateLimitWebFilter::tighter)
                .flatMap(probe -> {
                    HttpHeaders headers = exchange.getResponse().getHeaders();
                    headers.set("RateLimit-Limit", Long.toString(group.perMinute()));
                    headers.set("RateLimit-Remaining", Long.toString(Math.max(0, probe.getRemainingTokens())));
                    headers.set("RateLimit-Reset", Long.toString(seconds(probe.getNanosToWaitForReset())));
                    if (!probe.isConsumed()) {
                        Counter.builder("agentstream.ratelimit.rejected").description("Requests refused by a rate limit")
                                .tag("group", group.name()).register(meters).increment();
                        return Mono.error(new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                                "The " + group.name() + " rate limit of " + group.perMinute()
                                        + " requests per minute is used up; retry after Retry-After seconds.")
                                .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds(probe.getNanosToWaitForRefill())))
                                .withHeader("RateLimit-Limit", Long.toString(group.perMinute()))
                                .withHeader("RateLimit-Remaining", "0")
                                .withHeader("RateLimit-Reset", Long.toString(seconds(probe.getNanosToWaitForReset()))));
                    }
                    return chain.filter(exchange);
                });
    }

    private static final PathPattern API = PathPatternParser.defaultInstance.parse(Routes.API);
    private static final PathPattern HEALTH = PathPatternParser.defaultInstance.parse(Routes.HEALTH);
    private static final PathPattern INGEST = PathPatternParser.defaultInstance.parse(Routes.INGEST);
    private static final PathPattern UPLOAD = PathPatternParser.defaultInstance.parse(Routes.UPLOAD);
    private static final PathPattern STREAM = PathPatternParser.defaultInstance.parse(Routes.STREAM);

    /** The group of a request, matched on the routed path as the access rules are. */
    private Group group(HttpMethod method, PathContainer path) {
        if (HEALTH.matches(path)) {
            return new Group("health", properties.health());
        }
        if (!API.matches(path)) {
            return null;
        }
        if (INGEST.matches(path)) {
            return new Group("ingest", properties.ingest());
        }
        if (UPLOAD.matches(path)) {
            return new Group("upload", properties.upload());
        }
        if (STREAM.matches(path) && HttpMethod.GET.equals(method)) {
            return new Group("stream", properties.streamConnect());
        }
        return new Group("read", properties.read());
    }

    /** The probe that says less: refused before consumed, then fewer tokens left. */
    private static ConsumptionProbe tighter(ConsumptionProbe a, ConsumptionProbe b) {
        if (a.isConsumed() != b.isConsumed()) {
            return a.isConsumed() ? b : a;
        }
        return a.getRemainingTokens() <= b.getRemainingTokens() ? a : b;
    }

    private static ConsumptionProbe unlimited() {
        return ConsumptionProbe.consumed(Long.MAX_VALUE, 0);
    }

    private static long seconds(long nanos) {
        return Math.max(nanos > 0 ? 1 : 0, (nanos + Duration.ofSeconds(1).toNanos() - 1) / Duration.ofSeconds(1).toNanos());
    }
}
