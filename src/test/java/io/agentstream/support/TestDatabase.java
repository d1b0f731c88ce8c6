package io.agentstream.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import io.agentstream.config.DatabaseUrl;

/**
 * A database of its own for one test context, created on a PostgreSQL server (the one named
 * by TEST_DATABASE_URL, the local one, or the embedded one) and dropped when the context closes.
 */
public final class TestDatabase implements AutoCloseable {

    private final DatabaseUrl admin;
    private final DatabaseUrl database;

    private TestDatabase(DatabaseUrl admin, DatabaseUrl database) {
        this.admin = admin;
        this.database = database;
    }

    public static TestDatabase create(DatabaseUrl server) {
        String name = "agentstream_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute(server, "create database " + name);
        return new TestDatabase(server,
                new DatabaseUrl(server.host(), server.port(), name, server.user(), server.password()));
    }

    public DatabaseUrl url() {
        return database;
    }

    @Override
    public void close() {
        execute(admin, "drop database if exists " + database.database() + " with (force)");
    }

    private static void execute(DatabaseUrl server, String sql) {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot prepare the test database on " + server
                    + " (set TEST_DATABASE_URL to a PostgreSQL server the tests may create databases on)", e);
        }
    }
}
