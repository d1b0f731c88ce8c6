package io.agentstream.http;

import java.time.Duration;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * CORS for browser dashboards on other origins: only ALLOWED_ORIGINS (none by default).
 * The security chain applies it before authentication, so a preflight (which carries no
 * key) is answered, and a refusal carries the headers a browser needs to read it.
 */
@Configuration(proxyBeanMethods = false)
class CorsConfiguration {

    @Bean
    CorsConfigurationSource corsConfigurationSource(HttpProperties properties) {
        org.springframework.web.cors.CorsConfiguration cors = new org.springframework.web.cors.CorsConfiguration();
        cors.setAllowedOrigins(properties.allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Last-Event-ID"));
        cors.setExposedHeaders(List.of("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"));
        cors.setMaxAge(Duration.ofHours(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration(Routes.API, cors);
        return source;
    }
}
