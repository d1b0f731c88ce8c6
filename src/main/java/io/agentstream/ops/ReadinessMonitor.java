package io.agentstream.ops;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code agentstream_ready}: 1 while the instance accepts traffic and PostgreSQL answered its
 * last check (every 15 s), else 0, the figure the readiness probe judges by, for alerting
 * (an instance that answers scrapes but cannot serve is not "down" to {@code up}).
 */
@Component
class ReadinessMonitor implements SmartLifecycle {

    private static final Duration EVERY = Duration.ofSeconds(15);
    /** Above the pool's 3 s acquire limit, so a busy pool answers with its own error instead of a cancelled wait. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DatabaseClient db;
    private final ApplicationAvailability availability;
    private final AtomicBoolean databaseUp = new AtomicBoolean();
    private volatile boolean running;
    private Disposable checks;

    ReadinessMonitor(DatabaseClient db, ApplicationAvailability availability, MeterRegistry meters) {
        this.db = db;
        this.availability = availability;
        Gauge.builder("agentstream.ready", this, ReadinessMonitor::ready)
                .description("1 if this instance accepts traffic and reaches PostgreSQL, else 0")
                .register(meters);
    }

    private double ready() {
        return databaseUp.get() && availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC ? 1 : 0;
    }

    @Override
    public void start() {
        running = true;
        checks = Flux.interval(Duration.ZERO, EVERY)
                .concatMap(tick -> db.sql("select 1").map(row -> true).first().timeout(TIMEOUT)
                        .onErrorResume(error -> Mono.just(false)).defaultIfEmpty(false))
                .subscribe(databaseUp::set);
    }

    @Override
    public void stop() {
        running = false;
        if (checks != null) {
            checks.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
