package io.agentstream.observability;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** @param accessLog ACCESS_LOG: one line per request (on by default) */
@ConfigurationProperties("agentstream.observability")
public record ObservabilityProperties(boolean accessLog) {
}
