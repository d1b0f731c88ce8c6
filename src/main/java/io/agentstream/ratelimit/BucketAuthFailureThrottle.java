package io.agentstream.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentstream.auth.AuthFailureThrottle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Counts failures in the shared buckets; an address whose bucket is empty is remembered
 * here until it refills, so its further failures are answered without a round trip.
 */
@Component
class BucketAuthFailureThrottle implements AuthFailureThrottle {

    private final Buckets buckets;
    private final RateLimitProperties properties;
    private final Cache<String, Long> blockedUntil = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(100_000).build();

    BucketAuthFailureThrottle(Buckets buckets, RateLimitProperties properties) {
        this.buckets = buckets;
        this.properties = properties;
    }

    @Override
    public Mono<Long> recordFailure(String client) {
        if (!properties.enabled()) {
            return Mono.just(0L);
        }
        Long until = blockedUntil.getIfPresent(client);
        long left = until == null ? 0 : until - System.nanoTime();
        if (left > 0) {
            return Mono.just(Math.max(1, Duration.ofNanos(left).toSeconds()));
        }
        return buckets.consume("auth-failures:ip:" + client, properties.authFailures()).map(probe -> {
            if (probe.isConsumed()) {
                return 0L;
            }
            long wait = probe.getNanosToWaitForRefill();
            blockedUntil.put(client, System.nanoTime() + wait);
            return Math.max(1, Duration.ofNanos(wait).toSeconds());
        });
    }
}
