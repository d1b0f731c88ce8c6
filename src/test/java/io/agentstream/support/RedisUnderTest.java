package io.agentstream.support;

import java.util.UUID;

import org.testcontainers.containers.GenericContainer;

/**
 * The real Redis the multi-instance tests share: a Testcontainers container when a Docker
 * engine is available, otherwise the server named by TEST_REDIS_URL (default the local
 * one). Each test context gets its own key prefix, so parallel runs never meet.
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
        String configured = System.getenv("TEST_REDIS_URL");
        return configured == null || configured.isBlank() ? "redis://127.0.0.1:6379" : configured;
    }

    public static String uniquePrefix() {
        return "agentstream-test-" + UUID.randomUUID() + ":";
    }
}
