package io.agentstream.stream;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Wake-ups over Redis pub/sub. Announcements are coalesced: at most one PUBLISH is in
 * flight, and commits during it lead to exactly one more, so a burst of ten thousand
 * commits costs a handful of messages. Each message names its sender so an instance does
 * not wake itself twice. While Redis is unreachable, announcements are dropped (the other
 * instances' polls pick the events up) and the subscription is retried with backoff.
 */
final class RedisWakeUpBus implements WakeUpBus {

    private static final Logger log = LoggerFactory.getLogger(RedisWakeUpBus.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveRedisConnectionFactory connections;
    private final String channel;
    private final String instanceId = UUID.randomUUID().toString();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean healthy = new AtomicBoolean(true);

    RedisWakeUpBus(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections, String keyPrefix) {
        this.redis = redis;
        this.connections = connections;
        this.channel = keyPrefix + "events:committed";
    }

    @Override
    public void announce() {
        if (pending.getAndIncrement() == 0) {
            publish();
        }
    }

    private void publish() {
        pending.set(1);
        redis.convertAndSend(channel, instanceId)
                .timeout(TIMEOUT)
                .doOnSuccess(receivers -> markHealthy())
                .onErrorResume(error -> {
                    markDown(error);
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    if (!pending.compareAndSet(1, 0)) {
                        publish();
                    }
                })
                .subscribe();
    }

    @Override
    public Flux<Object> wakeUps() {
        return Mono.fromCallable(() -> new ReactiveRedisMessageListenerContainer(connections))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(container -> container.receive(ChannelTopic.of(channel))
                        .doOnSubscribe(s -> markHealthy())
                        .doFinally(signal -> container.destroyLater().subscribe()))
                .filter(message -> !instanceId.equals(message.getMessage()))
                .<Object>map(message -> message)
                .doOnError(this::markDown)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)));
    }

    private void markHealthy() {
        if (healthy.compareAndSet(false, true)) {
            log.info("Stream wake-ups reach Redis again");
        }
    }

    private void markDown(Throwable error) {
        if (healthy.compareAndSet(true, false)) {
            log.warn("Stream wake-ups cannot reach Redis; other instances fall back to polling: {}", error.toString());
        }
    }
}
