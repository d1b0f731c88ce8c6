package io.agentstream.database;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;

/** Tells "the database is unreachable or too slow" (retryable) from everything else (a bug). */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof QueryTimeoutException
                    || t instanceof R2dbcTransientResourceException
                    || t instanceof R2dbcNonTransientResourceException
                    || t instanceof R2dbcTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof ConnectException
                    || t instanceof IOException
                    || isConnectionClosed(t)) {
                return true;
            }
        }
        return false;
    }

    /** The PostgreSQL driver reports a dropped connection with its own exception types. */
    private static boolean isConnectionClosed(Throwable t) {
        String name = t.getClass().getName();
        return name.startsWith("io.r2dbc.postgresql.client.ReactorNettyClient$")
                || name.equals("io.r2dbc.postgresql.api.PostgresqlConnectionClosedException")
                || name.endsWith("PostgresConnectionClosedException")
                || name.startsWith("io.netty.channel.")
                || name.equals("reactor.netty.channel.AbortedException");
    }
}
