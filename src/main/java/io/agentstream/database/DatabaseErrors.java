package io.agentstream.database;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.springframework.dao.DataAccessResourceFailureException;
import reactor.netty.channel.AbortedException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells "the database is unreachable or too slow" (retryable) from everything else (a bug).
 * The PostgreSQL driver reports a dropped connection as an R2DBC resource exception.
 */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static boolean isUnavailable(Throwable failure) {
        if (isRefusedByServer(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof QueryTimeoutException
                    || t instanceof R2dbcTransientResourceException
                    || t instanceof R2dbcNonTransientResourceException
                    || t instanceof R2dbcTimeoutException
                    || t instanceof TimeoutException
                    || t instanceof IOException
                    || t instanceof AbortedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * PostgreSQL answered and refused the statement (its SQLSTATE says so), other than for
     * its connection (08), resources (53), an operator or a statement timeout (57) or a
     * system error (58). The database is there: the statement or its data is at fault, and a
     * retry would fail the same way. The driver reports most such answers as resource
     * exceptions too, so the SQLSTATE decides.
     */
    public static boolean isRefusedByServer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null && r2dbc.getSqlState().length() == 5) {
                return !UNAVAILABLE_CLASSES.contains(r2dbc.getSqlState().substring(0, 2));
            }
        }
        return false;
    }

    private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57", "58");

    /**
     * A deadlock or serialization failure: PostgreSQL rolled the transaction back, and
     * running it again is safe and will most likely succeed.
     */
    public static boolean isConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException r2dbc && ("40P01".equals(r2dbc.getSqlState()) || "40001".equals(r2dbc.getSqlState()))) {
                return true;
            }
        }
        return false;
    }
}
