package io.agentstream.load;

import java.util.List;

import io.gatling.javaapi.core.Assertion;

import static io.gatling.javaapi.core.CoreDsl.details;

/** Latency assertions over named requests. */
final class Targets {

    /** The requests whose latency is the service's: ingest and opening a stream. */
    static final List<String> API_REQUESTS = List.of(CliAgent.BRIDGE, CliAgent.STARTED, CliAgent.MESSAGE,
            CliAgent.RETRY, CliAgent.COMPLETED, Dashboards.CONNECT);

    private Targets() {
    }

    /**
     * The {@code percentile} of each of {@code requests} under {@code boundMillis}. Per request rather
     * than global: a stream check's "response time" is how long it waited for an event, which says
     * nothing of the service's latency.
     */
    static List<Assertion> percentile(List<String> requests, double percentile, int boundMillis) {
        return requests.stream()
                .map(request -> details(request).responseTime().percentile(percentile).lt(boundMillis))
                .toList();
    }
}
