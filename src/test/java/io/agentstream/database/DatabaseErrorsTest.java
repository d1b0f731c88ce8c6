package io.agentstream.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
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
    }

    @Test
    void bugsAndBadDataAreNot() {
        assertThat(DatabaseErrors.isUnavailable(new BadSqlGrammarException("insert", "insert into x",
                new R2dbcBadGrammarException("syntax error")))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new DataIntegrityViolationException("fk",
                new R2dbcDataIntegrityViolationException("violates foreign key")))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new IllegalStateException("dedup key conflicted"))).isFalse();
        assertThat(DatabaseErrors.isUnavailable(new NullPointerException())).isFalse();
    }
}
