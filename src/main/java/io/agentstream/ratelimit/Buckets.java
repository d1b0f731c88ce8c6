package io.agentstream.ratelimit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentstream.config.RedisConnectionProperties;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Token buckets (Bucket4j), shared by all instances through Redis when REDIS_URL is set,
 * else kept in this instance. When Redis does not answer within {@link #REDIS_TIMEOUT}, the
 * bucket is taken from this instance's memory instead (limits then hold per instance), the
 * switch is logged once, and Redis is tried again after {@link #RETRY_REDIS_AFTER}: a Redis
 * outage never stops a request.
 */
@Component
class Buckets implements RateLimitMode {

    static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);
    static final Duration RETRY_REDIS_AFTER = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(Buckets.class);

    private final LettuceConnectionFactory redis;
    private final String keyPrefix;
    private final Cache<String, Bucket> local = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(2)).maximumSize(200_000).build();
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicLong retryRedisAt = new AtomicLong();
    private final AtomicInteger redisInUse = new AtomicInteger();
    private volatile AsyncProxyManager<byte[]> shared;

    Buckets(ObjectProvider<LettuceConnectionFactory> redis, RedisConnectionProperties properties, MeterRegistry meters) {
        this.redis = redis.getIfAvailable();
        this.keyPrefix = properties.keyPrefix() + "ratelimit:";
        Gauge.builder("agentstream.ratelimit.shared", redisInUse, AtomicInteger::get)
                .description("1 while rate limits are shared through Redis, 0 while kept per instance")
                .register(meters);
    }

    @Override
    public String mode() {
        return redis == null ? "local" : degraded.get() ? "local-fallback" : "redis";
    }

    Mono<ConsumptionProbe> consume(String key, long perMinute) {
        if (redis == null || (degraded.get() && System.nanoTime() < retryRedisAt.get())) {
            return Mono.just(localBucket(key, perMinute).tryConsumeAndReturnRemaining(1));
        }
        return sharedBuckets()
                .flatMap(manager -> Mono.fromFuture(() -> manager.builder()
                        .build(keyPrefix.concat(key).getBytes(StandardCharsets.UTF_8),
                                () -> CompletableFuture.completedFuture(configuration(perMinute)))
                        .tryConsumeAndReturnRemaining(1)))
                .timeout(REDIS_TIMEOUT)
                .doOnNext(probe -> recovered())
                .onErrorResume(error -> {
                    fallBack(error);
                    return Mono.just(localBucket(key, perMinute).tryConsumeAndReturnRemaining(1));
                });
    }

    private Mono<AsyncProxyManager<byte[]>> sharedBuckets() {
        AsyncProxyManager<byte[]> manager = shared;
        if (manager != null) {
            return Mono.just(manager);
        }
        // Connecting blocks: off the event loop, once.
        return Mono.fromCallable(() -> {
            synchronized (this) {
                if (shared == null) {
                    shared = Bucket4jLettuce.casBasedBuilder((RedisClient) redis.getNativeClient())
                            .expirationAfterWrite(ExpirationAfterWriteStrategy
                                    .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .build()
                            .asAsync();
                }
                return shared;
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Bucket localBucket(String key, long perMinute) {
        return local.get(key + "@" + perMinute, ignored -> Bucket.builder()
                .addLimit(bandwidth(perMinute)).build());
    }

    private static BucketConfiguration configuration(long perMinute) {
        return BucketConfiguration.builder().addLimit(bandwidth(perMinute)).build();
    }

    private static Bandwidth bandwidth(long perMinute) {
        return Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build();
    }

    private void fallBack(Throwable error) {
        retryRedisAt.set(System.nanoTime() + RETRY_REDIS_AFTER.toNanos());
        redisInUse.set(0);
        if (degraded.compareAndSet(false, true)) {
            log.warn("Rate limits cannot reach Redis; each instance limits on its own until it answers again: {}",
                    error.toString());
        }
    }

    private void recovered() {
        redisInUse.set(1);
        if (degraded.compareAndSet(true, false)) {
            log.info("Rate limits are shared through Redis again");
        }
    }
}
