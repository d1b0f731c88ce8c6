package io.agentstream.auth;

import java.time.Duration;

import io.agentstream.config.RedisConnectionProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * A key created or revoked on one instance is announced to all (with Redis), which read their
 * set of active keys again at once; without Redis (or while it is down) the set's 4 s refresh
 * is the bound. The channel keeps its first name, so instances of the previous release, which
 * drop their key caches on any message, hear these too during a rolling upgrade.
 */
@Component
class KeyChanges implements SmartLifecycle {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(KeyChanges.class);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveRedisConnectionFactory connections;
    private final ActiveKeys activeKeys;
    private final String channel;
    private Disposable subscription;

    KeyChanges(ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<ReactiveRedisConnectionFactory> connections,
               ActiveKeys activeKeys, RedisConnectionProperties properties) {
        this.redis = redis.getIfAvailable();
        this.connections = connections.getIfAvailable();
        this.activeKeys = activeKeys;
        this.channel = properties.keyPrefix() + "keys:revoked";
    }

    /** A key was created here: it works on this instance once this completes, and is announced. */
    Mono<Void> created() {
        return reloadHere().then(announce());
    }

    /**
     * A key was revoked here: it is refused on this instance once this completes (even if the
     * set cannot be read again just now), and is announced. Never fails the revocation.
     */
    Mono<Void> revoked(long id) {
        return Mono.fromRunnable(() -> activeKeys.forget(ApiKeyStore.principalId(id))).then(reloadHere()).then(announce());
    }

    private Mono<Void> reloadHere() {
        return activeKeys.reload().onErrorResume(error -> {
            log.warn("Could not read the active API keys after a change ({}); the next refresh will", error.getClass().getSimpleName());
            return Mono.empty();
        });
    }

    private Mono<Void> announce() {
        if (redis == null) {
            return Mono.empty();
        }
        return redis.convertAndSend(channel, "changed").timeout(TIMEOUT).onErrorResume(error -> Mono.empty()).then();
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
                .concatMap(message -> activeKeys.reloadAnnounced().onErrorResume(error -> {
                    log.warn("Could not read the active API keys after a change elsewhere ({}); the next refresh will",
                            error.getClass().getSimpleName());
                    return Mono.empty();
                }), 0)
                .subscribe();
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
