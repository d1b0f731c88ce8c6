package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

class EnvironmentTranslatorTest {

    private final EnvironmentTranslator translator = new EnvironmentTranslator();

    @Test
    void translatesTheVariablesIntoBootProperties() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("PORT", "9090")
                .withProperty("DATABASE_URL", "postgresql://app:pw@db:5433/store")
                .withProperty("DATABASE_POOL_MIN", "1")
                .withProperty("DATABASE_POOL_MAX", "20");
        translator.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("server.port")).isEqualTo("9090");
        assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://db:5433/store");
        assertThat(environment.getProperty("spring.r2dbc.username")).isEqualTo("app");
        assertThat(environment.getProperty("spring.r2dbc.password")).isEqualTo("pw");
        assertThat(environment.getProperty("spring.flyway.url"))
                .isEqualTo("jdbc:postgresql://db:5433/store?sslmode=prefer&ApplicationName=agentstream&connectTimeout=3");
        assertThat(environment.getProperty("spring.flyway.password")).isEqualTo("pw");
        assertThat(environment.getProperty("spring.r2dbc.pool.max-size")).isEqualTo("20");
        assertThat(environment.getProperty("spring.r2dbc.pool.min-idle")).isEqualTo("1");
    }

    @Test
    void databaseUrlParametersReachBothDrivers() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("DATABASE_URL", "postgresql://app@db/store?sslmode=require&application_name=ingest&connect_timeout=7");
        translator.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("spring.r2dbc.properties.sslMode")).isEqualTo("require");
        assertThat(environment.getProperty("spring.r2dbc.properties.applicationName")).isEqualTo("ingest");
        assertThat(environment.getProperty("spring.r2dbc.properties.connectTimeout")).isEqualTo("PT7S");
        assertThat(environment.getProperty("spring.flyway.url"))
                .isEqualTo("jdbc:postgresql://db:5432/store?sslmode=require&ApplicationName=ingest&connectTimeout=7");
    }

    @Test
    void logFormatJsonTurnsOnStructuredLoggingAndManagementPortMovesTheActuator() {
        MockEnvironment json = new MockEnvironment().withProperty("LOG_FORMAT", "json").withProperty("MANAGEMENT_PORT", "9091");
        translator.postProcessEnvironment(json, new SpringApplication());
        assertThat(json.getProperty("logging.structured.format.console")).isEqualTo("ecs");
        assertThat(json.getProperty("management.server.port")).isEqualTo("9091");
        MockEnvironment text = new MockEnvironment().withProperty("LOG_FORMAT", "text");
        translator.postProcessEnvironment(text, new SpringApplication());
        assertThat(text.getProperty("logging.structured.format.console")).isNull();
        assertThat(text.getProperty("management.server.port")).isNull();
    }

    @Test
    void tracingIsOffUnlessAnOtlpEndpointIsSet() {
        MockEnvironment unset = new MockEnvironment();
        translator.postProcessEnvironment(unset, new SpringApplication());
        assertThat(unset.getProperty("management.opentelemetry.enabled")).isEqualTo("false");
        assertThat(unset.getProperty("management.tracing.export.enabled")).isEqualTo("false");
        // Thread locals restored on every operator only where spans need them.
        assertThat(unset.getProperty("spring.reactor.context-propagation")).isEqualTo("limited");
        for (String variable : new String[] {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}) {
            MockEnvironment set = new MockEnvironment().withProperty(variable, "http://collector:4318");
            translator.postProcessEnvironment(set, new SpringApplication());
            assertThat(set.getProperty("management.opentelemetry.enabled")).as(variable).isNull();
            assertThat(set.getProperty("management.tracing.export.enabled")).as(variable).isNull();
            assertThat(set.getProperty("spring.reactor.context-propagation")).as(variable).isEqualTo("auto");
        }
    }

    @Test
    void explicitBootPropertiesStillWin() {
        MockEnvironment environment = new MockEnvironment().withProperty("spring.r2dbc.url", "r2dbc:postgresql://other/db");
        translator.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://other/db");
        assertThat(environment.getProperty("server.port")).isEqualTo("8080");
    }

    @ParameterizedTest
    @CsvSource({
            "PORT, eighty",
            "PORT, 70000",
            "PORT, -1",
            "DATABASE_URL, mysql://root@localhost/db",
            "DATABASE_POOL_MAX, 0",
            "DATABASE_POOL_MIN, lots",
            "MANAGEMENT_PORT, 0",
            "MANAGEMENT_PORT, admin",
            "LOG_FORMAT, xml",
    })
    void aBadValueStopsStartUpNamingTheVariable(String variable, String value) {
        MockEnvironment environment = new MockEnvironment().withProperty(variable, value);
        assertThatThrownBy(() -> translator.postProcessEnvironment(environment, new SpringApplication()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.variable()).isEqualTo(variable);
                    FailureAnalysis analysis = new InvalidConfigurationFailureAnalyzer().analyze(e);
                    assertThat(analysis.getDescription()).contains(variable);
                    assertThat(analysis.getAction()).contains(variable);
                });
    }

    @Test
    void aPoolMinimumAboveTheMaximumIsRefused() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("DATABASE_POOL_MIN", "8").withProperty("DATABASE_POOL_MAX", "4");
        assertThatThrownBy(() -> translator.postProcessEnvironment(environment, new SpringApplication()))
                .hasMessageContaining("DATABASE_POOL_MIN");
    }
}
