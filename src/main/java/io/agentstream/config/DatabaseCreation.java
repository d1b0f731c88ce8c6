package io.agentstream.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * DATABASE_CREATE=true: before Flyway migrates, create the database DATABASE_URL names when
 * it does not exist yet (connecting to the server's {@code postgres} database with the same
 * user, who needs the CREATEDB privilege). Off by default: a typo in the database name should
 * stop start-up, not create an empty database beside the real one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "DATABASE_CREATE", havingValue = "true")
class DatabaseCreation {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCreation.class);

    @Bean
    FlywayMigrationStrategy createDatabaseThenMigrate(Environment environment) {
        return flyway -> {
            createIfMissing(DatabaseUrl.parse(environment.getProperty("DATABASE_URL", EnvironmentTranslator.DEFAULT_DATABASE_URL)));
            flyway.migrate();
        };
    }

    static void createIfMissing(DatabaseUrl database) {
        DatabaseUrl server = new DatabaseUrl(database.host(), database.port(), "postgres", database.user(), database.password());
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database.database());
            try (ResultSet result = exists.executeQuery()) {
                if (result.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("create database \"" + database.database().replace("\"", "\"\"") + "\"");
            }
            log.info("DATABASE_CREATE=true: created database {} on {}:{}", database.database(), database.host(), database.port());
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + database.database() + " (DATABASE_CREATE=true)", e);
        }
    }
}
