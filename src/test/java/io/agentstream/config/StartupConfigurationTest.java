package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.Map;

import io.agentstream.AgentstreamApplication;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.NestedExceptionUtils;

/**
 * Starting the real application with a bad variable fails before serving, and the failure
 * names the variable but never repeats its value.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupConfigurationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "AGENTPIPE_BRIDGE_API_KEY | short-key",
            "AGENTPIPE_BRIDGE_API_KEY | good-key-0123456789abcdef,has a space in it 0123",
            "REDIS_URL                | http://cache:6379",
            "REDIS_URL                | redis://:s3cret-pass@",
            "PORT                     | http",
            "DATABASE_URL             | jdbc:postgresql://localhost/db",
            "DATABASE_CREATE          | yes",
            "SSE_REPLAY_BUFFER_BYTES  | 0",
            "SSE_MAX_PENDING_BYTES    | 512KB",
    })
    void aBadVariableStopsStartUpNamingIt(String variable, String value, CapturedOutput output) {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(AgentstreamApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties(variable, value))
                .run()
                .close());
        assertThat(failure).isNotNull();
        Throwable cause = failure;
        while (cause != null && !(cause instanceof InvalidConfigurationException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("cause chain of %s", NestedExceptionUtils.getMostSpecificCause(failure))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.variable()).isEqualTo(variable);
                    assertThat(e.getMessage()).doesNotContain(value);
                });
        assertThat(output.getAll()).contains(variable);
        if (variable.equals("AGENTPIPE_BRIDGE_API_KEY") || variable.equals("REDIS_URL")) {
            // Keys and Redis passwords are secrets: the failure report must not repeat them.
            assertThat(output.getAll()).doesNotContain(value);
        }
    }

    /** A database that does not exist: start-up must fail on the variable before any connection. */
    private static Map<String, Object> properties(String variable, String value) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/no_such_database");
        properties.put("spring.flyway.enabled", "false");
        properties.put(variable, value);
        return properties;
    }
}
