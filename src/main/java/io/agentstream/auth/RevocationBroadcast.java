package io.agentstream.auth;

import java.time.Duration;

import io.agentstream.config.RedisConnectionProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * With Redis, a revocation on one instance is announced to all, which drop their cached
 * key lookups at once; without Redis (or while it is down) the cache's 4 s lifetime is the
 * bound.
 */
@Component
class RevocationBroadcast implements SmartLifecycle {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveRedisConnectionFactory connections;
    private final KeyAuthenticator authenticator;
    private final String channel;
    private Disposable subscription;

    RevocationBroadcast(ObjectProvider<ReactiveStringRedisTemplate> redis,
                        ObjectProvider<ReactiveRedisConnectionFactory> connections,
                        KeyAuthenticator authenticator, RedisConnectionProperties properties) {
        this.redis = redis.getIfAvailable();
        this.connections = connections.getIfAvailable();
        this.authenticator = authenticator;
        this.channel = properties.keyPrefix() + "keys:revoked";
    }

    /** Drops this instance's cache and tells the others; never fails the revocation. */
    Mono<Void> revoked() {
        authenticator.invalidateAll();
        if (redis == null) {
            return Mono.empty();
        }
        return redis.convertAndSend(channel, "revoked").timeout(TIMEOUT).onErrorResume(error -> Mono.empty()).then();
    }

    @Override
    public void start() {
        if (connections == null) {
            return;
        }
        subscription = Mono.fromCallable(() -> new ReactiveRedisMessageListenerContainer(connections))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(container -> container.receive(ChannelTopic.of(channel))
                        .doFinally(signal -> container.destroyLater().subscribe()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
                .subscribe(message -> authenticator.invalidateAll());
    }

    @Override
    public void stop() {
        if (subscription != null) {
            subscription.dispose();
            subscription = null;
        }
    }

    @Override
    public boolean isRunning() {
        return subscription != null;
    }
}
