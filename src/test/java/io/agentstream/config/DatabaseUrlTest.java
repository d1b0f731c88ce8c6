package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @Test
    void translatesTheDefaultForR2dbcAndJdbc() {
        DatabaseUrl url = DatabaseUrl.parse(EnvironmentTranslator.DEFAULT_DATABASE_URL);
        assertThat(url.r2dbcUrl()).isEqualTo("r2dbc:postgresql://127.0.0.1:5432/agentstream");
        assertThat(url.jdbcUrl()).isEqualTo(
                "jdbc:postgresql://127.0.0.1:5432/agentstream?sslmode=prefer&ApplicationName=agentstream&connectTimeout=3");
        assertThat(url.r2dbcOptions()).isEqualTo(java.util.Map.of(
                "sslMode", "prefer", "applicationName", "agentstream", "connectTimeout", "PT3S"));
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

    @Test
    void carriesLibpqParametersToBothDrivers(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca dir.pem"), "ca");
        Path cert = Files.writeString(dir.resolve("client.pem"), "cert");
        Path key = Files.writeString(dir.resolve("client.pk8"), "key");
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u@db.example.com/app?sslmode=verify-full&sslrootcert="
                + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8).replace("+", "%20") + "&sslcert=" + cert + "&sslkey=" + key
                + "&application_name=worker%201&connect_timeout=10");
        assertThat(url.r2dbcOptions()).containsEntry("sslMode", "verify-full").containsEntry("sslRootCert", ca.toString())
                .containsEntry("sslCert", cert.toString()).containsEntry("sslKey", key.toString())
                .containsEntry("applicationName", "worker 1").containsEntry("connectTimeout", "PT10S");
        assertThat(url.jdbcUrl()).startsWith("jdbc:postgresql://db.example.com:5432/app?sslmode=verify-full&sslrootcert=")
                .contains("sslrootcert=" + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8).replace("+", "%20"))
                .contains("&sslcert=" + URLEncoder.encode(cert.toString(), StandardCharsets.UTF_8))
                .contains("&ApplicationName=worker%201&connectTimeout=10");
        for (String mode : DatabaseUrl.SSL_MODES) {
            assertThat(DatabaseUrl.parse("postgresql://u@h/db?sslmode=" + mode).r2dbcOptions()).containsEntry("sslMode", mode);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "postgresql://u@h/db?ssl=true                       | unknown parameter 'ssl'",
            "postgresql://u@h/db?sslmode=require&sslmod=disable | unknown parameter 'sslmod'",
            "postgresql://u@h/db?sslmode=verify_full            | sslmode 'verify_full'",
            "postgresql://u@h/db?sslmode=                       | sslmode ''",
            "postgresql://u@h/db?sslmode=require&sslmode=disable | 'sslmode' twice",
            "postgresql://u@h/db?sslrootcert=/no/such/ca.pem    | sslrootcert naming a file",
            "postgresql://u@h/db?sslcert=/no/such/c.pem         | sslcert naming a file",
            "postgresql://u@h/db?connect_timeout=0              | connect_timeout",
            "postgresql://u@h/db?connect_timeout=abc            | connect_timeout",
            "postgresql://u@h/db?connect_timeout=99999          | connect_timeout",
            "postgresql://u@h/db?application_name=%00x          | application_name",
            "postgresql://u@h/db?options=-c%20x%3Dy             | unknown parameter 'options'",
    })
    void refusesUnknownOrBadParametersInOneLine(String value, String expected) {
        assertThatThrownBy(() -> DatabaseUrl.parse(value))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.variable()).isEqualTo("DATABASE_URL");
                    assertThat(e.reason()).contains(expected).doesNotContain("\n");
                });
    }

    @Test
    void aClientCertificateNeedsItsKey(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("client.pem"), "cert");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u@h/db?sslcert=" + cert))
                .hasMessageContaining("sslcert and sslkey together");
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
