package io.agentstream.observability;

import io.agentstream.problem.RequestIds;

import io.micrometer.context.ContextRegistry;
import org.slf4j.MDC;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code spring.reactor.context-propagation=auto}, Reactor restores registered thread
 * locals from the subscriber's context on whatever thread a signal arrives: the database
 * driver's, a scheduler's, the stream's fan-out thread. Registering the MDC keys here is what
 * puts the request id on every log line written while serving a request, wherever it runs.
 * (Registering a key again replaces the earlier accessor, so several contexts in one JVM are fine.)
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ObservabilityProperties.class)
class LogContextPropagation {

    LogContextPropagation() {
        register(RequestIds.MDC_KEY);
        register(RequestIds.TRACE_MDC_KEY);
    }

    private static void register(String key) {
        ContextRegistry.getInstance().registerThreadLocalAccessor(key,
                () -> MDC.get(key), value -> MDC.put(key, value), () -> MDC.remove(key));
    }
}
