package io.agentstream.stream;

import io.agentstream.config.RedisConnectionProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class WakeUpBusConfiguration {

    @Bean
    WakeUpBus wakeUpBus(RedisConnectionProperties redis, ObjectProvider<ReactiveStringRedisTemplate> template,
                        ObjectProvider<ReactiveRedisConnectionFactory> connections) {
        if (!redis.configured()) {
            return new LocalWakeUpBus();
        }
        return new RedisWakeUpBus(template.getObject(), connections.getObject(), redis.keyPrefix());
    }
}
