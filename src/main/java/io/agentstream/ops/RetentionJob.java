package io.agentstream.ops;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes expired data in the background (RETENTION_DAYS): in batches of a few hundred
 * rows, each its own short transaction, so ingest is never blocked for long. Every batch
 * first takes a transaction-scoped advisory lock without waiting: with several instances,
 * one deletes and the others skip that round.
 */
@Component
class RetentionJob implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    /** The advisory lock key: any constant shared by all instances. */
    private static final long LOCK = 0x61677374726d5254L;
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    static final String TRY_LOCK = "select pg_try_advisory_xact_lock(:lock) as locked";
    static final String DELETE_CONVERSATIONS = """
            delete from conversations where id in (
                select id from conversations where updated_at < :cutoff order by updated_at limit :batch)
            """;
    /** Events of no conversation (bridge.connected, bridge.test); others go with their conversation. */
    static final String DELETE_LOOSE_EVENTS = """
            delete from events where id in (
                select id from events where received_at < :cutoff and conversation_id is null order by received_at limit :batch)
            """;

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final RetentionProperties properties;
    private Disposable schedule;

    RetentionJob(DatabaseClient db, TransactionalOperator transactions, RetentionProperties properties) {
        this.db = db;
        this.transactions = transactions;
        this.properties = properties;
    }

    /** One pass: deletes batch after batch until nothing expired is left; the number of rows deleted. */
    Mono<Long> runOnce() {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minusDays(properties.days());
        return drain(DELETE_CONVERSATIONS, cutoff)
                .flatMap(conversations -> drain(DELETE_LOOSE_EVENTS, cutoff).map(events -> conversations + events));
    }

    private Mono<Long> drain(String delete, OffsetDateTime cutoff) {
        return batch(delete, cutoff)
                .expand(deleted -> deleted >= properties.batchSize() ? batch(delete, cutoff) : Mono.empty())
                .reduce(0L, Long::sum);
    }

    /** 0 when another instance holds the lock, which ends this pass here. */
    private Mono<Long> batch(String delete, OffsetDateTime cutoff) {
        Mono<Long> work = db.sql(TRY_LOCK).bind("lock", LOCK).map(row -> row.get("locked", Boolean.class)).one()
                .flatMap(locked -> !locked ? Mono.just(0L)
                        : db.sql(delete).bind("cutoff", cutoff).bind("batch", properties.batchSize())
                                .fetch().rowsUpdated());
        return transactions.transactional(work).timeout(STATEMENT_TIMEOUT);
    }

    @Override
    public void start() {
        if (properties.days() == 0) {
            return;
        }
        schedule = Flux.interval(Duration.ofMinutes(1), properties.interval())
                .concatMap(tick -> runOnce()
                        .doOnNext(deleted -> {
                            if (deleted > 0) {
                                log.info("Retention deleted {} rows older than {} days", deleted, properties.days());
                            }
                        })
                        .onErrorResume(error -> {
                            log.warn("Retention pass failed; next pass in {}: {}", properties.interval(), error.toString());
                            return Mono.empty();
                        }))
                .subscribe();
        log.info("Retention: deleting data older than {} days every {}", properties.days(), properties.interval());
    }

    @Override
    public void stop() {
        if (schedule != null) {
            schedule.dispose();
            schedule = null;
        }
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }
}
