package io.agentstream.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.BadSqlGrammarException;
import reactor.netty.channel.AbortedException;

/** Only an unreachable or slow database may become a 503 (which the CLI retries); a bug must not. */
class DatabaseErrorsTest {

    @Test
    void unreachableOrSlowIsUnavailable() {
        assertThat(DatabaseErrors.isUnavailable(new DataAccessResourceFailureException("pool",
                new ConnectException("Connection refused")))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new R2dbcNonTransientResourceException("terminating connection"))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new TimeoutException("no answer in 8s"))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new AbortedException("connection closed"))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new IllegalStateException("wrapped", new ConnectException("refused")))).isTrue();
        // What the driver reports for the server's own refusals of these kinds.
        assertThat(DatabaseErrors.isUnavailable(new R2dbcNonTransientResourceException("statement timeout", "57014"))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new R2dbcNonTransientResourceException("too many connections", "53300"))).isTrue();
        assertThat(DatabaseErrors.isUnavailable(new R2dbcNonTransientResourceException("shutting down", "57P01"))).isTrue();
    }

    @Test
    void bugsAndBadDataAreNot() {
        assertThat(DatabaseErrors.isUnavailable(new BadSqlGrammarException("insert", "insert into x",
                new R2dbcBadGrammarException("syntax error")))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new DataIntegrityViolationException("fk",
                new R2dbcDataIntegrityViolationException("violates foreign key")))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new IllegalStateException("dedup key conflicted"))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new NullPointerException())).isFalse();
        // A trigger's exception, reported by the driver as a resource exception: the server answered.
        assertThat(DatabaseErrors.isUnavailable(new DataAccessResourceFailureException("insert",
                new R2dbcNonTransientResourceException("refused by a trigger", "P0001")))).isFalse();
    }

    @Test
    void deadlocksAndSerializationFailuresAreConflicts() {
        assertThat(DatabaseErrors.isConflict(new IllegalStateException("tx", new R2dbcRollbackException("deadlock detected", "40P01")))).isTrue();
        assertThat(DatabaseErrors.isConflict(new R2dbcRollbackException("could not serialize access", "40001"))).isTrue();
        assertThat(DatabaseErrors.isConflict(new R2dbcNonTransientResourceException("statement timeout", "57014"))).isFalse();
        assertThat(DatabaseErrors.isConflict(new TimeoutException("no answer"))).isFalse();
    }
}
