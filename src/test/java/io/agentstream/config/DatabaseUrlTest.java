package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @Test
    void translatesTheDefaultForR2dbcAndJdbc() {
        DatabaseUrl url = DatabaseUrl.parse(EnvironmentTranslator.DEFAULT_DATABASE_URL);
        assertThat(url.r2dbcUrl()).isEqualTo("r2dbc:postgresql://127.0.0.1:5432/agentstream");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/agentstream");
        assertThat(url.user()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
    }

    @Test
    void decodesPercentEncodedCredentialsAndDefaultsThePort() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app%40prod:p%3Ass+w@db.internal/events");
        assertThat(url.user()).isEqualTo("app@prod");
        assertThat(url.password()).isEqualTo("p:ss+w");
        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.database()).isEqualTo("events");
    }

    @Test
    void bracketsIpv6Hosts() {
        assertThat(DatabaseUrl.parse("postgresql://u@[::1]:6543/db").r2dbcUrl())
                .isEqualTo("r2dbc:postgresql://[::1]:6543/db");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(DatabaseUrl.parse("postgresql://u:secret-pw@h/db").toString()).doesNotContain("secret-pw");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mysql://u@h/db", "postgresql://u@h", "postgresql://u@h/", "postgresql:///db",
            "postgresql://u@h:notaport/db", "not a url", "postgresql://u@h/a/b", "postgresql://:pw@h/db"})
    void rejectsWhatIsNotALibpqUrlNamingTheVariable(String value) {
        assertThatThrownBy(() -> DatabaseUrl.parse(value))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.variable()).isEqualTo("DATABASE_URL"));
    }
}
