package io.agentstream.ops;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code agentstream_redis_up}: 1 when the configured Redis answered its last PING (every
 * 15 s), 0 when not, -1 when no Redis is configured; for alerting on the multi-instance mode.
 */
@Component
class RedisMonitor implements SmartLifecycle {

    private static final Duration EVERY = Duration.ofSeconds(15);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveStringRedisTemplate redis;
    private final AtomicInteger up = new AtomicInteger(-1);
    private Disposable pings;

    RedisMonitor(ObjectProvider<ReactiveStringRedisTemplate> redis, MeterRegistry meters) {
        this.redis = redis.getIfAvailable();
        Gauge.builder("agentstream.redis.up", up, AtomicInteger::get)
                .description("1 if the configured Redis answers, 0 if not, -1 if none is configured")
                .register(meters);
    }

    @Override
    public void start() {
        if (redis == null) {
            return;
        }
        pings = Flux.interval(Duration.ZERO, EVERY)
                .concatMap(tick -> redis.execute(connection -> connection.ping()).next().timeout(TIMEOUT)
                        .map(pong -> 1).onErrorResume(error -> Mono.just(0)))
                .subscribe(up::set);
    }

    @Override
    public void stop() {
        if (pings != null) {
            pings.dispose();
            pings = null;
        }
    }

    @Override
    public boolean isRunning() {
        return pings != null;
    }
}
