package io.agentstream.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns the operator-facing variables that configure Spring Boot itself ({@code PORT},
 * {@code DATABASE_URL} with its libpq parameters, {@code DATABASE_POOL_*}) into Boot's properties, validating them
 * first so that a bad value stops start-up with the variable's name instead of a driver
 * stack trace. The translated properties have the lowest precedence: an explicit
 * {@code spring.r2dbc.url} (tests, exotic set-ups) still wins.
 *
 * <p>Feature settings (keys, limits, Redis) are bound to validated
 * {@code @ConfigurationProperties} records instead; see {@code application.yml}.
 */
public class EnvironmentTranslator implements EnvironmentPostProcessor, Ordered {

    static final String DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/agentstream";
    static final String SOURCE_NAME = "agentstreamEnvironment";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> properties = new LinkedHashMap<>();

        int port = integer(environment, "PORT", 8080, 0, 65535);
        properties.put("server.port", port);

        DatabaseUrl database = DatabaseUrl.parse(environment.getProperty("DATABASE_URL", DEFAULT_DATABASE_URL));
        properties.put("spring.r2dbc.url", database.r2dbcUrl());
        properties.put("spring.r2dbc.username", database.user());
        // TLS, application name and connect timeout from the URL's parameters, the same for both drivers.
        database.r2dbcOptions().forEach((option, value) -> properties.put("spring.r2dbc.properties." + option, value));
        properties.put("spring.flyway.url", database.jdbcUrl());
        properties.put("spring.flyway.user", database.user());
        if (database.password() != null) {
            properties.put("spring.r2dbc.password", database.password());
            properties.put("spring.flyway.password", database.password());
        }

        String create = environment.getProperty("DATABASE_CREATE", "false").strip();
        if (!create.equals("true") && !create.equals("false") && !create.isEmpty()) {
            throw new InvalidConfigurationException("DATABASE_CREATE", "must be true or false");
        }

        int poolMax = integer(environment, "DATABASE_POOL_MAX", 10, 1, 1000);
        int poolMin = integer(environment, "DATABASE_POOL_MIN", Math.min(2, poolMax), 0, 1000);
        if (poolMin > poolMax) {
            throw new InvalidConfigurationException("DATABASE_POOL_MIN", "must not exceed DATABASE_POOL_MAX (" + poolMax + ")");
        }
        properties.put("spring.r2dbc.pool.initial-size", poolMin);
        properties.put("spring.r2dbc.pool.min-idle", poolMin);
        properties.put("spring.r2dbc.pool.max-size", poolMax);

        String managementPort = environment.getProperty("MANAGEMENT_PORT");
        if (managementPort != null && !managementPort.isBlank()) {
            properties.put("management.server.port", integer(environment, "MANAGEMENT_PORT", 0, 1, 65535));
        }

        String logFormat = environment.getProperty("LOG_FORMAT", "text").strip();
        switch (logFormat) {
            case "text", "" -> { }
            case "json" -> properties.put("logging.structured.format.console", "ecs");
            default -> throw new InvalidConfigurationException("LOG_FORMAT", "must be text or json");
        }

        // Tracing is exported over OTLP only to an endpoint someone named (Boot maps the standard
        // OTEL_* variables onto its properties). Without one, no OpenTelemetry SDK is built and no
        // span is made per request: nothing runs that nobody reads.
        if (blank(environment, "OTEL_EXPORTER_OTLP_ENDPOINT") && blank(environment, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                && blank(environment, "management.opentelemetry.tracing.export.otlp.endpoint")) {
            properties.put("management.opentelemetry.enabled", false);
            properties.put("management.tracing.export.enabled", false);
            // Reactor does not restore thread locals on every operator: that cost about a quarter
            // of the CPU per ingested event (load-test/RESULTS.md). The service's own lines about
            // a request set the MDC themselves (io.agentstream.problem.RequestIds).
            properties.put("spring.reactor.context-propagation", "limited");
        } else {
            // Spans find their parent in thread locals, which only automatic propagation restores
            // on every operator: worth its cost only where traces are exported.
            properties.put("spring.reactor.context-propagation", "auto");
        }

        // Sentry is configured only with a DSN, so without one none of its hooks are installed.
        String sentryDsn = environment.getProperty("SENTRY_DSN");
        if (sentryDsn != null && !sentryDsn.isBlank()) {
            properties.put("sentry.dsn", sentryDsn.strip());
            properties.put("sentry.environment", environment.getProperty("SENTRY_ENVIRONMENT", "production"));
        }

        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, properties));
    }

    private static boolean blank(ConfigurableEnvironment environment, String name) {
        String value = environment.getProperty(name);
        return value == null || value.isBlank();
    }

    private static int integer(ConfigurableEnvironment environment, String variable, int fallback, int min, int max) {
        String raw = environment.getProperty(variable);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(variable, "must be a whole number between " + min + " and " + max);
        }
        if (value < min || value > max) {
            throw new InvalidConfigurationException(variable, "must be between " + min + " and " + max);
        }
        return value;
    }

    @Override
    public int getOrder() {
        // After Boot has loaded application.yml and the OS environment.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
