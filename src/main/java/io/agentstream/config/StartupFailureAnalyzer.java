package io.agentstream.config;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

import io.r2dbc.spi.R2dbcException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * The start-up failures an operator causes and can fix: the database is missing, PostgreSQL
 * does not answer, refuses the password or fails a TLS check ({@link DatabaseTlsFailure}),
 * Redis does not answer, the port is taken. Each
 * becomes one sentence naming the variable and the fix; Boot's own analyses (port in use)
 * come second. Values that may hold secrets (passwords in URLs) are never repeated.
 */
class StartupFailureAnalyzer implements FailureAnalyzer, Ordered {

    private final Environment environment;

    StartupFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        RedisUnreachableException redis = find(failure, RedisUnreachableException.class);
        if (redis != null) {
            return analysis("REDIS_URL: no Redis answers at " + redis.address() + " (" + redis.reason()
                    + "). Start Redis there, fix REDIS_URL, or unset REDIS_URL to run a single instance without Redis.", failure);
        }
        PortInUseException port = find(failure, PortInUseException.class);
        if (port != null) {
            String variable = Integer.toString(port.getPort()).equals(environment.getProperty("management.server.port"))
                    ? "MANAGEMENT_PORT" : "PORT";
            return analysis(variable + ": port " + port.getPort() + " is already in use by another process. "
                    + "Stop that process or set " + variable + " to a free port.", failure);
        }
        String state = sqlState(failure);
        if (state == null) {
            return null;
        }
        DatabaseUrl database = database();
        String tls = DatabaseTlsFailure.describe(failure, database);
        if (tls != null) {
            return analysis(tls, failure);
        }
        String where = database == null ? "the PostgreSQL server" : "PostgreSQL on " + database.host() + ":" + database.port();
        if (state.equals("3D000")) {
            String name = database == null ? "the database" : "database \"" + database.database() + "\"";
            String create = database == null ? "createdb" : "createdb -h " + database.host() + " -p " + database.port()
                    + " -U " + database.user() + " " + database.database();
            String server = database == null ? "the server" : database.host() + ":" + database.port();
            return analysis("DATABASE_URL names " + name + ", which does not exist on " + server
                    + ". Create it (" + create + ") or set DATABASE_CREATE=true to let agentstream create it.", failure);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            String user = database == null ? "the user" : "user \"" + database.user() + "\"";
            return analysis("DATABASE_URL: " + where + " refused " + user + " (wrong password or not allowed). "
                    + "Fix the user and password in DATABASE_URL (percent-encode special characters).", failure);
        }
        if (state.startsWith("08")) {
            Throwable network = network(failure);
            String reason = network == null ? "connection failed" : network.getClass().getSimpleName()
                    + (network.getMessage() == null ? "" : ": " + network.getMessage());
            return analysis("DATABASE_URL: " + where + " does not answer (" + reason + "). Start PostgreSQL there or fix "
                    + "the host and port in DATABASE_URL (unset it for the embedded development database).", failure);
        }
        return null;
    }

    private static FailureAnalysis analysis(String description, Throwable cause) {
        return new FailureAnalysis(description, "", cause);
    }

    private DatabaseUrl database() {
        String url = environment.getProperty("DATABASE_URL");
        if (url == null || url.isBlank()) {
            url = EnvironmentTranslator.DEFAULT_DATABASE_URL;
        }
        try {
            return DatabaseUrl.parse(url);
        } catch (InvalidConfigurationException e) {
            return null;
        }
    }

    /** PostgreSQL's SQLSTATE from JDBC (Flyway) or R2DBC; 08xxx for a server that cannot be reached. */
    private static String sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (cause instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
                return r2dbc.getSqlState();
            }
        }
        return network(failure) != null && find(failure, SQLException.class) != null ? "08001" : null;
    }

    private static Throwable network(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException) {
                return cause;
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
