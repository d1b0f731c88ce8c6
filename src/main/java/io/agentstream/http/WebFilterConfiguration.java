package io.agentstream.http;

import java.util.List;

import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/** The application's web filters run as one, in their order, without a checkpoint each ({@link UncheckpointedFilterChain}). */
@Configuration(proxyBeanMethods = false)
class WebFilterConfiguration {

    @Bean
    WebHttpHandlerBuilderCustomizer filtersWithoutCheckpoints() {
        return builder -> builder.filters(filters -> {
            if (filters.size() > 1) {
                List<WebFilter> ordered = List.copyOf(filters);
                filters.clear();
                filters.add(UncheckpointedFilterChain.asOneFilter(ordered));
            }
        });
    }
}
