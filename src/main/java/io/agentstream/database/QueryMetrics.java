package io.agentstream.database;

import io.micrometer.observation.ObservationRegistry;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.observation.ObservationProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.r2dbc.ConnectionFactoryDecorator;
import org.springframework.boot.r2dbc.OptionsCapableConnectionFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * DATABASE_QUERY_METRICS=true: an observation per statement, the {@code r2dbc_query_seconds}
 * timers (and spans, when traces are exported). Off by default, with Boot's R2DBC proxy and
 * observation excluded (application.yml): the proxy it puts around every connection,
 * statement and result, and the observations, cost CPU and about 15 KB of allocation per
 * ingested event (load-test/RESULTS.md). PostgreSQL's {@code pg_stat_statements} ranks statements at no cost
 * to the service.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("agentstream.database.query-metrics")
class QueryMetrics {

    @Bean
    ConnectionFactoryDecorator queryObservations(ObservationRegistry observations) {
        return connectionFactory -> {
            OptionsCapableConnectionFactory database = OptionsCapableConnectionFactory.unwrapFrom(connectionFactory);
            String host = database == null ? null : (String) database.getOptions().getValue(ConnectionFactoryOptions.HOST);
            Integer port = database == null ? null : (Integer) database.getOptions().getValue(ConnectionFactoryOptions.PORT);
            return ProxyConnectionFactory.builder(connectionFactory)
                    .listener(new ObservationProxyExecutionListener(observations, connectionFactory, host, port))
                    .build();
        };
    }
}
