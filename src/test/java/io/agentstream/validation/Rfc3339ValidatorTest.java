package io.agentstream.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339ValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:15:02Z", "2026-11-20T10:15:02.1Z", "2026-11-20T10:15:02.123456789Z",
            "2026-11-20T10:15:02+05:30", "2026-11-20T10:15:02.5-08:00", "2026-11-20t10:15:02z"})
    void acceptsWhatGoSendsWithZeroToNineFractionalDigits(String timestamp) {
        assertThat(Rfc3339Validator.parse(timestamp)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:15Z", "2026-11-20T10:15:02", "2026-11-20 10:15:02Z",
            "2026-11-20T10:15:02.1234567891Z", "2026-02-30T10:15:02Z", "2026-11-20T25:15:02Z",
            "2026-11-20T10:15:02+05:30:15", "2026-11-20T10:15:02+0530", "0000-01-01T00:00:00Z", "yesterday", ""})
    void rejectsEverythingElse(String timestamp) {
        assertThat(Rfc3339Validator.parse(timestamp)).isEmpty();
    }
}
