package io.agentstream.support;

import java.util.HashMap;
import java.util.Map;

import io.agentstream.AgentstreamApplication;
import io.agentstream.config.DatabaseUrl;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts another agentstream instance in the test JVM, on a random port, against the same
 * PostgreSQL as the test's own context: a second replica, or one to shut down.
 */
public final class Instances {

    private Instances() {
    }

    public static ConfigurableApplicationContext start(DatabaseUrl database, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>();
        all.put("server.port", "0");
        all.put("spring.r2dbc.url", database.r2dbcUrl());
        all.put("spring.r2dbc.username", database.user());
        all.put("spring.r2dbc.password", database.password() == null ? "" : database.password());
        all.put("spring.flyway.url", database.jdbcUrl());
        all.put("spring.flyway.user", database.user());
        all.put("spring.flyway.password", database.password() == null ? "" : database.password());
        all.put("agentstream.auth.bootstrap-keys", Api.KEY + "," + Api.SECOND_KEY);
        all.putAll(properties);
        // As command-line arguments: default properties would rank below the service's own defaults.
        String[] arguments = all.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(AgentstreamApplication.class).run(arguments);
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }
}
