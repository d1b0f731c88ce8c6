package io.agentstream.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * The one timer behind every open stream's heartbeat and lifetime ({@link StreamHub#tick}).
 * A timer per stream was two scheduled tasks and their operators held by each open stream; a
 * tick over all of them checks two times per stream and writes the heartbeats that are due.
 */
@Component
class StreamClock implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamClock.class);

    private final StreamHub hub;
    private final Duration period;
    private volatile Disposable ticking;

    StreamClock(StreamHub hub, StreamProperties properties) {
        this.hub = hub;
        this.period = period(properties.heartbeatInterval(), properties.maxLifetime());
    }

    /**
     * Often enough that a heartbeat comes at most a quarter interval late and a lifetime ends
     * within a tenth of it, and at least once a second.
     */
    static Duration period(Duration heartbeatInterval, Duration maxLifetime) {
        long millis = Math.min(1000, Math.min(heartbeatInterval.toMillis() / 4, maxLifetime.toMillis() / 10));
        return Duration.ofMillis(Math.max(10, millis));
    }

    @Override
    public void start() {
        long nanos = period.toNanos();
        ticking = Schedulers.parallel().schedulePeriodically(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** A failed tick must not end the clock: a periodic task that throws is never run again. */
    private void tick() {
        try {
            hub.tick(System.nanoTime());
        } catch (RuntimeException failure) {
            log.error("Stream clock tick failed; the next tick retries", failure);
        }
    }

    @Override
    public void stop() {
        Disposable current = ticking;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = ticking;
        return current != null && !current.isDisposed();
    }
}
