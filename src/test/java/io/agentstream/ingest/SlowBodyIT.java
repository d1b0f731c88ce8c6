package io.agentstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import reactor.core.publisher.Flux;

/** A client that starts a body and stalls gets 408 instead of holding its connection forever. */
@IntegrationTest
@TestPropertySource(properties = "agentstream.ingest.read-timeout=1s")
class SlowBodyIT {

    @Autowired
    Api api;

    @Test
    void aStalledBodyIsAnsweredWith408() {
        DataBuffer start = DefaultDataBufferFactory.sharedInstance.wrap("{\"type\":\"bridge.test\",".getBytes());
        Flux<DataBuffer> stalled = Flux.concat(Flux.just(start), Flux.never());
        api.client().mutate().responseTimeout(Duration.ofSeconds(10)).build()
                .post().uri("/api/ingest")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .body(stalled, DataBuffer.class)
                .exchange()
                .expectStatus().isEqualTo(408)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:problem:agentstream:body-timeout");
        assertThat(api.count("select count(*) from events")).isZero();
        api.assertHealthy();
    }
}
