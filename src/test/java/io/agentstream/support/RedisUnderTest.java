package io.agentstream.support;

import java.util.UUID;

import org.testcontainers.containers.GenericContainer;

/**
 * The real Redis the multi-instance tests share: a Testcontainers container when a Docker
 * engine is available, otherwise the one {@link LocalServices} picks (TEST_REDIS_URL, the
 * local server, or an embedded redis-server). Each test context gets its own key prefix, so parallel runs never meet.
 */
public final class RedisUnderTest {

    private static GenericContainer<?> container;

    private RedisUnderTest() {
    }

    public static synchronized String url() {
        if (TestInfrastructure.DOCKER) {
            if (container == null) {
                container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
                container.start();
            }
            return "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
        }
        return LocalServices.redisUrl();
    }

    public static String uniquePrefix() {
        return "agentstream-test-" + UUID.randomUUID() + ":";
    }
}
