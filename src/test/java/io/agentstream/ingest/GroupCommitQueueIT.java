package io.agentstream.ingest;

import static io.agentstream.ingest.GroupCommitIT.message;
import static io.agentstream.ingest.GroupCommitIT.metric;
import static io.agentstream.ingest.GroupCommitIT.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.agentstream.ingest.GroupCommitIT.Answer;
import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Group commit's queue: one writer and room for two waiting events, so that the test,
 * holding one conversation's row lock, stops the writer exactly where it wants and decides
 * which requests share the next transaction.
 */
@IntegrationTest
@TestPropertySource(properties = {"agentstream.ingest.commit-concurrency=1", "agentstream.ingest.commit-queue-capacity=2"})
class GroupCommitQueueIT {

    @Autowired
    Api api;

    @Autowired
    ConnectionFactory connections;

    @LocalServerPort
    int port;

    /** A transaction of the test's own that holds the conversation's row lock until rolled back. */
    private Connection lockConversation(String id) {
        Connection holder = Mono.from(connections.create()).block(Duration.ofSeconds(10));
        Mono.from(holder.beginTransaction()).block(Duration.ofSeconds(10));
        Flux.from(holder.createStatement("select id from conversations where id = '" + id + "' for update").execute())
                .flatMap(result -> result.map((row, meta) -> 1)).blockLast(Duration.ofSeconds(10));
        return holder;
    }

    private void awaitWriterBlocked() {
        await().atMost(Duration.ofSeconds(10)).until(() -> api.count(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()") > 0);
    }

    private static void release(Connection holder) {
        Mono.from(holder.rollbackTransaction()).block(Duration.ofSeconds(10));
    }

    /** A request sent now, whose answer is read later. */
    private static Mono<Answer> sendInBackground(WebClient client, String body) {
        Mono<Answer> answer = send(client, body).cache();
        answer.subscribe();
        return answer;
    }

    private void awaitQueued(int events) {
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(api, "agentstream_ingest_commit_queued") == events);
    }

    private static void close(Connection holder) {
        Mono.from(holder.close()).block(Duration.ofSeconds(10));
    }

    @Test
    void aFullQueueAnswers503AtOnceAndLosesNothingAcknowledged() {
        api.ingest(message("group-held", "m-0", 1)).expectStatus().isCreated();
        double queuedFullBefore = metric(api, "agentstream_ingest_commit_queue_full_total");
        WebClient client = GroupCommitIT.client(port);
        Connection holder = lockConversation("group-held");
        try {
            Mono<Answer> inFlight = sendInBackground(client, message("group-held", "m-1", 1));
            awaitWriterBlocked();
            // Two events wait: exactly the queue's capacity.
            Mono<Answer> queued = sendInBackground(client, "[" + message("group-held", "m-2", 1) + "," + message("group-other", "m-3", 1) + "]");
            awaitQueued(2);

            Answer refused = send(client, message("group-other", "m-4", 1)).block(Duration.ofSeconds(10));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.retryAfter()).isEqualTo("1");
            assertThat(refused.body()).containsEntry("type", "urn:problem:agentstream:ingest-overloaded");
            assertThat(metric(api, "agentstream_ingest_commit_queue_full_total")).isEqualTo(queuedFullBefore + 1);

            release(holder);
            assertThat(inFlight.block(Duration.ofSeconds(10)).status()).isEqualTo(201);
            assertThat(queued.block(Duration.ofSeconds(10)).status()).isEqualTo(200);
        } finally {
            close(holder);
        }
        assertThat(api.numbers("select count(*) from messages where message_id in ('m-0', 'm-1', 'm-2', 'm-3')")).containsExactly(4L);
        assertThat(api.count("select count(*) from messages where message_id = 'm-4'")).isZero();
        api.ingest(message("group-other", "m-4", 1)).expectStatus().isCreated();
        api.assertHealthy();
    }

    /**
     * Overload: twenty times what the queue takes, at once, while the writer is stuck. Each
     * request beyond the queue is refused with 503 and Retry-After at once (well within the
     * write timeout), none hangs or gets a 500, every acknowledged event is stored once and
     * every refused one not at all, and when the writer is free again ingest answers as fast
     * as before.
     */
    @Test
    void aBurstFarBeyondCapacityIsRefusedQuicklyNeverFailsOrHangsAndRecovers() {
        api.ingest(message("burst-held", "burst-0", 1)).expectStatus().isCreated();
        WebClient client = GroupCommitIT.client(port);
        int burst = 40;
        java.util.List<Answer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Map<String, Long> latencyMillis = new java.util.concurrent.ConcurrentHashMap<>();
        Connection holder = lockConversation("burst-held");
        try {
            Mono<Answer> inFlight = sendInBackground(client, message("burst-held", "burst-1", 1));
            awaitWriterBlocked();
            Flux.range(2, burst)
                    .flatMap(i -> {
                        long sent = System.nanoTime();
                        return send(client, message("burst-held", "burst-" + i, 1)).doOnNext(answer -> {
                            answers.add(answer);
                            latencyMillis.put("burst-" + i + ":" + answer.status(), (System.nanoTime() - sent) / 1_000_000);
                        });
                    }, burst)
                    .subscribe();
            // Everything the queue cannot take is refused while the writer is still stuck.
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= burst - 2);
            assertThat(answers).allSatisfy(answer -> {
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.retryAfter()).isEqualTo("1");
            });
            release(holder);
            assertThat(inFlight.block(Duration.ofSeconds(10)).status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == burst);
        } finally {
            close(holder);
        }
        assertThat(answers).extracting(Answer::status).allMatch(status -> status == 201 || status == 503);
        assertThat(latencyMillis.entrySet()).filteredOn(entry -> entry.getKey().endsWith(":503"))
                .allSatisfy(entry -> assertThat(entry.getValue()).as(entry.getKey()).isLessThan(5_000));
        for (int i = 0; i < burst + 2; i++) {
            String id = "burst-" + i;
            boolean acknowledged = i < 2 || latencyMillis.containsKey(id + ":201");
            assertThat(api.count("select count(*) from messages where message_id = $1", id)).as(id).isEqualTo(acknowledged ? 1 : 0);
        }
        // Recovered: the refused ones, sent again, are stored at normal speed.
        long started = System.nanoTime();
        for (int i = 2; i < burst + 2; i++) {
            if (latencyMillis.containsKey("burst-" + i + ":503")) {
                api.ingest(message("burst-held", "burst-" + i, 1)).expectStatus().isCreated();
            }
        }
        assertThat((System.nanoTime() - started) / 1_000_000_000.0).as("seconds to store the refused events after the burst")
                .isLessThan(10);
        assertThat(api.count("select message_count from conversations where id = 'burst-held'")).isEqualTo(burst + 2);
        api.assertHealthy();
    }

    @Test
    void aRequestThatFailsInTheDatabaseFailsAloneNotTheOthersOfItsTransaction() {
        api.ingest(message("group-split", "m-0", 1)).expectStatus().isCreated();
        // A real database failure for one message only: PostgreSQL refuses this content.
        api.rows("""
                create or replace function refuse_poison() returns trigger language plpgsql as $$
                begin
                    if new.content like '%poison%' then raise exception 'refused by the test'; end if;
                    return new;
                end $$""");
        api.rows("create trigger refuse_poison before insert on messages for each row execute function refuse_poison()");
        double splitsBefore = metric(api, "agentstream_ingest_commit_splits_total");
        WebClient client = GroupCommitIT.client(port);
        Connection holder = lockConversation("group-split");
        try {
            Mono<Answer> inFlight = sendInBackground(client, message("group-split", "m-1", 1));
            awaitWriterBlocked();
            // These two wait together, so they share the next transaction.
            Mono<Answer> good = sendInBackground(client, message("group-split", "m-2", 1));
            awaitQueued(1);
            Mono<Answer> poisoned = sendInBackground(client, message("group-split", "poison", 1));
            awaitQueued(2);

            release(holder);
            assertThat(inFlight.block(Duration.ofSeconds(10)).status()).isEqualTo(201);
            assertThat(good.block(Duration.ofSeconds(10)).status()).isEqualTo(201);
            Answer failed = poisoned.block(Duration.ofSeconds(10));
            assertThat(failed.status()).isEqualTo(500);
            assertThat(failed.body()).containsEntry("type", "urn:problem:agentstream:internal-error");
        } finally {
            close(holder);
            api.rows("drop trigger if exists refuse_poison on messages");
        }
        assertThat(metric(api, "agentstream_ingest_commit_splits_total")).isEqualTo(splitsBefore + 1);
        assertThat(api.numbers("select count(*) from messages where conversation_id = 'group-split'")).containsExactly(3L);
        assertThat(api.row("select message_count from conversations where id = 'group-split'")).containsEntry("message_count", 3L);
        api.assertHealthy();
    }
}
