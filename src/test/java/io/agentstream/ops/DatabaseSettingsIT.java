package io.agentstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The bounded waits the 503 behaviour relies on are really applied to runtime connections. */
@IntegrationTest
class DatabaseSettingsIT {

    @Autowired
    Api api;

    @Test
    void runtimeConnectionsCarryTheStatementTimeoutAndTheApplicationName() {
        assertThat(api.single("show statement_timeout")).isEqualTo("8s");
        assertThat(api.single("select current_setting('application_name')")).isEqualTo("agentstream");
    }

    @Test
    void migrationsRanAndTheCostColumnsAreExactDecimals() {
        assertThat(api.count("select count(*) from flyway_schema_history where not success")).isZero();
        assertThat(api.count("select count(*) from flyway_schema_history where success")).isGreaterThanOrEqualTo(2);
        assertThat(api.count("select count(*) from information_schema.columns where table_name in ('conversations', 'messages') "
                + "and column_name like '%cost' and data_type <> 'numeric'")).isZero();
    }
}
