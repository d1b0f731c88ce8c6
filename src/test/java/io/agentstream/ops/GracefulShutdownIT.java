package io.agentstream.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.agentstream.support.Api;
import io.agentstream.support.Instances;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutting an instance down (what SIGTERM does, through the JVM's shutdown hook) while 16
 * clients ingest: every event that was acknowledged is stored.
 */
@IntegrationTest
class GracefulShutdownIT {

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    @Test
    void noAcknowledgedEventIsLostWhenAnInstanceShutsDownUnderLoad() {
        ConfigurableApplicationContext instance = Instances.start(postgres.url(), Map.of());
        StreamClient client = new StreamClient(Instances.port(instance));
        ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> load = Flux.range(0, 5000)
                .flatMap(i -> client.ingestMessage("shutdown-" + (i % 8), i, "message " + i)
                        .doOnNext(acknowledged::add)
                        .onErrorResume(refused -> Mono.empty()), 16)
                .then().toFuture();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 200);
        instance.close();
        load.join();
        List<Long> ids = List.copyOf(acknowledged);
        assertThat(ids).hasSizeGreaterThanOrEqualTo(200);
        long stored = api.count("select count(*) from events where id = any($1)", (Object) ids.toArray(Long[]::new));
        assertThat(stored).isEqualTo(ids.size());
        assertThat(api.count("select count(*) from messages m join events e on e.id = m.event_id where e.id = any($1)",
                (Object) ids.toArray(Long[]::new))).isEqualTo(ids.size());
        System.out.printf("SHUTDOWN under load: %d events acknowledged before the instance closed, all %d stored%n",
                ids.size(), stored);
    }
}
