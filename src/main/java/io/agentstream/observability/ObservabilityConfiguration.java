package io.agentstream.observability;

import io.agentstream.http.Routes;
import io.micrometer.observation.ObservationPredicate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ObservabilityProperties.class)
class ObservabilityConfiguration {

    /**
     * No {@code http.server.requests} observation (timer sample, span, tag maps) for the live
     * stream: a stream is one request that stays open for up to SSE_MAX_LIFETIME, and its
     * observation would be held that whole time by every open stream, for a duration the
     * stream's own {@code agentstream.stream.duration} already records with its close reason.
     */
    @Bean
    ObservationPredicate noRequestObservationForStreams() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && Routes.STREAM.equals(request.getCarrier().getPath().pathWithinApplication().value()));
    }
}
