package io.agentstream.config;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Redis exists only in multi-instance mode: with REDIS_URL unset no client is created at
 * all (Boot's own Redis auto-configuration is excluded in application.yml, because it
 * would connect to localhost). Commands fail fast while disconnected and time out after a
 * second, so every user of Redis can fall back instead of waiting on it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${agentstream.redis.url:}'.isBlank()")
class RedisConfiguration {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    @Bean
    LettuceConnectionFactory redisConnectionFactory(RedisConnectionProperties redis) {
        LettuceClientConfiguration.LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
                .commandTimeout(COMMAND_TIMEOUT)
                .clientName("agentstream")
                .clientOptions(ClientOptions.builder()
                        .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .build());
        if (redis.url().startsWith("rediss://")) {
            client.useSsl();
        }
        return new LettuceConnectionFactory(LettuceConnectionFactory.createRedisConfiguration(redis.url()), client.build());
    }

    /**
     * REDIS_URL set means Redis is meant to be there: a start-up without it stops with one
     * line instead of running degraded unnoticed. An outage later only degrades (polling).
     */
    @Bean
    RedisStartupCheck redisStartupCheck(RedisConnectionProperties redis,
            @Value("${agentstream.redis.startup-check:true}") boolean enabled) {
        if (enabled) {
            RedisStartupCheck.verify(redis.url());
        }
        return new RedisStartupCheck();
    }

    @Bean
    ReactiveStringRedisTemplate reactiveStringRedisTemplate(LettuceConnectionFactory factory) {
        return new ReactiveStringRedisTemplate(factory);
    }
}
