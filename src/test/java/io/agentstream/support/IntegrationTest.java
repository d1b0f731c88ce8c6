package io.agentstream.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;

/**
 * The service started on a random port against real PostgreSQL, driven over HTTP with
 * WebTestClient. Contexts with the same configuration share one database, emptied before
 * each test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "agentstream.auth.bootstrap-keys=" + Api.KEY + "," + Api.SECOND_KEY,
                "agentstream.auth.admin-keys=" + Api.ADMIN_KEY,
                "agentstream.auth.stream-token-secret=" + Api.TOKEN_SECRET,
                // Many tests share a context and its buckets; the limits have tests of their own.
                "agentstream.rate-limit.enabled=false",
                // The database is the test's own (TestInfrastructure), never development mode's embedded one.
                "agentstream.dev-mode.enabled=false",
                // Without a Docker engine Testcontainers logs an ERROR; TestInfrastructure says which PostgreSQL is used.
                "logging.level.org.testcontainers.dockerclient=OFF"})
@AutoConfigureWebTestClient
@Import({TestInfrastructure.class, Api.class})
@ExtendWith(EmptyStoreExtension.class)
public @interface IntegrationTest {
}
