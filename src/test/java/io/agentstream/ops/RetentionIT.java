package io.agentstream.ops;

import java.time.Duration;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
@TestPropertySource(properties = {"agentstream.retention.days=30", "agentstream.retention.batch-size=2",
        "agentstream.retention.interval=1h"})
class RetentionIT {

    @Autowired
    Api api;

    @Autowired
    RetentionJob retention;

    @Test
    void onlyWhatIsOlderThanTheRetentionIsDeletedInBatches() {
        for (int i = 0; i < 5; i++) {
            api.ingest(fixture("message-created.json").replace("5b0f3c1e-9a4d-4c2e-8f7a-1d2e3f4a5b6c", "old-" + i))
                    .expectStatus().isCreated();
        }
        api.ingest(fixture("bridge-connected.json")).expectStatus().isOk();
        api.count("with aged as (update conversations set updated_at = now() - interval '40 days' returning 1) select count(*) from aged");
        api.count("with aged as (update events set received_at = now() - interval '40 days' returning 1) select count(*) from aged");
        api.ingest(fixture("message-created.json")).expectStatus().isCreated();
        api.ingest(fixture("bridge-test.json")).expectStatus().isOk();

        Long deleted = retention.runOnce().block(Duration.ofSeconds(30));

        // Five old conversations (with their message and event) and one old loose event.
        assertThat(deleted).isEqualTo(6);
        assertThat(api.numbers("select count(*) from conversations where id like 'old-%'")).containsExactly(0L);
        assertThat(api.count("select count(*) from conversations")).isEqualTo(1);
        assertThat(api.count("select count(*) from messages")).isEqualTo(1);
        assertThat(api.count("select count(*) from events")).isEqualTo(2);
        assertThat(api.count("select count(*) from events where type = 'bridge.connected'")).isZero();
        assertThat(retention.runOnce().block(Duration.ofSeconds(30))).isZero();
        api.assertHealthy();
    }
}
