package io.agentstream.dashboard;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The dashboard is a static page (classpath:static); this answers what a static resource
 * handler cannot: its deep links ({@code /conversations/{id}} load the same page, whose
 * router shows the conversation) and the one setting the page must know before sign-in,
 * whether the stream is public.
 */
@Configuration(proxyBeanMethods = false)
class DashboardRoutes {

    private static final Resource INDEX = new ClassPathResource("static/index.html");

    @Bean
    RouterFunction<ServerResponse> dashboardRouter(@Value("${agentstream.auth.public-stream:false}") boolean publicStream) {
        // The setting itself (STREAM_PUBLIC), not the auth feature's classes: auth depends on this package.
        Map<String, Object> config = Map.of("stream_public", publicStream);
        HandlerFunction<ServerResponse> settings = request -> ServerResponse.ok()
                .cacheControl(CacheControl.noStore())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(config);
        // HEAD as GET (the server sends no body for it): a functional GET route does not take HEAD.
        return route()
                .GET("/", request -> index())
                .HEAD("/", request -> index())
                .GET("/conversations/{id}", request -> index())
                .HEAD("/conversations/{id}", request -> index())
                .GET("/assets/config.json", settings)
                .HEAD("/assets/config.json", settings)
                .build();
    }

    private static reactor.core.publisher.Mono<ServerResponse> index() {
        // Revalidated on every load, so a deployment's new assets are picked up at once.
        return ServerResponse.ok().cacheControl(CacheControl.noCache())
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8)).bodyValue(INDEX);
    }
}
