package io.agentstream.support;

import java.io.IOException;

import io.agentstream.config.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL every integration test runs against: a Testcontainers container
 * when a Docker engine is available, otherwise a fresh database on the server
 * {@link LocalServices} picks (TEST_DATABASE_URL, the local server, or the embedded one).
 * Never skipped, never mocked.
 *
 * <p>With {@code agentstream.test.database-proxy=true} the service reaches PostgreSQL
 * through a {@link TcpProxy} bean, which a test can cut to make the database unreachable.
 * Flyway connects directly, so migrations are not affected.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestInfrastructure {

    static final boolean DOCKER = dockerAvailable();

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    @Bean
    PostgresUnderTest postgresUnderTest() {
        PostgresUnderTest postgres = DOCKER ? PostgresUnderTest.container() : PostgresUnderTest.localDatabase();
        log.info("Tests use PostgreSQL {} ({})", postgres.url(), DOCKER ? "Testcontainers" : "a fresh database, see LocalServices");
        return postgres;
    }

    @Bean
    TcpProxy databaseProxy(PostgresUnderTest postgres) throws IOException {
        DatabaseUrl url = postgres.url();
        return new TcpProxy(url.host(), url.port());
    }

    @Bean
    DynamicPropertyRegistrar databaseProperties(PostgresUnderTest postgres, TcpProxy proxy, Environment environment) {
        boolean viaProxy = environment.getProperty("agentstream.test.database-proxy", Boolean.class, false);
        DatabaseUrl direct = postgres.url();
        DatabaseUrl runtime = viaProxy
                ? new DatabaseUrl("127.0.0.1", proxy.port(), direct.database(), direct.user(), direct.password())
                : direct;
        return registry -> {
            registry.add("spring.r2dbc.url", runtime::r2dbcUrl);
            registry.add("spring.r2dbc.username", runtime::user);
            registry.add("spring.r2dbc.password", () -> runtime.password() == null ? "" : runtime.password());
            registry.add("spring.flyway.url", direct::jdbcUrl);
            registry.add("spring.flyway.user", direct::user);
            registry.add("spring.flyway.password", () -> direct.password() == null ? "" : direct.password());
        };
    }

    /** The PostgreSQL of one test context; stopped or dropped with it. */
    public static final class PostgresUnderTest implements DisposableBean {

        private final DatabaseUrl url;
        private final AutoCloseable resource;

        private PostgresUnderTest(DatabaseUrl url, AutoCloseable resource) {
            this.url = url;
            this.resource = resource;
        }

        static PostgresUnderTest container() {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
            return new PostgresUnderTest(new DatabaseUrl(container.getHost(), container.getMappedPort(5432),
                    container.getDatabaseName(), container.getUsername(), container.getPassword()), container);
        }

        static PostgresUnderTest localDatabase() {
            TestDatabase database = TestDatabase.create(LocalServices.postgresServer());
            return new PostgresUnderTest(database.url(), database);
        }

        public DatabaseUrl url() {
            return url;
        }

        @Override
        public void destroy() throws Exception {
            resource.close();
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
