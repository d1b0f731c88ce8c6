package io.agentstream.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {

    @Test
    void aScrubbedFailureKeepsClassesFramesCausesAndSqlstateButNoMessage() {
        IllegalArgumentException root = new IllegalArgumentException("value 'my secret content' is invalid");
        R2dbcNonTransientResourceException driver = new R2dbcNonTransientResourceException(
                "invalid byte sequence for encoding UTF8 in 'my secret content'", "22021", 0, root);
        IllegalStateException failure = new IllegalStateException("Bearer ap_live_abcdef for my secret content", driver);
        failure.addSuppressed(new RuntimeException("token=abc my secret content"));

        Throwable scrubbed = SecretScrubber.scrubbed(failure);
        StringWriter text = new StringWriter();
        scrubbed.printStackTrace(new PrintWriter(text));
        assertThat(text.toString()).doesNotContain("secret").doesNotContain("ap_live").doesNotContain("abc ")
                .contains("java.lang.IllegalStateException: [scrubbed]")
                .contains("io.r2dbc.spi.R2dbcNonTransientResourceException: [scrubbed] SQLSTATE 22021")
                .contains("java.lang.IllegalArgumentException: [scrubbed]")
                .contains("Suppressed: ").contains("java.lang.RuntimeException: [scrubbed]")
                .contains("at io.agentstream.problem.SecretScrubberTest.aScrubbedFailureKeepsClassesFramesCausesAndSqlstateButNoMessage");
        assertThat(scrubbed.getStackTrace()).isEqualTo(failure.getStackTrace());
        assertThat(scrubbed.getCause().getCause()).isNotNull();
    }

    @Test
    void itsOneLineNamesTheClassTheThrowingFrameAndTheCauses() {
        IllegalArgumentException root = new IllegalArgumentException("my secret content");
        IllegalStateException failure = new IllegalStateException("Bearer ap_live_abcdef", root);

        String line = SecretScrubber.scrubbed(failure).toString();
        assertThat(line).doesNotContain("secret").doesNotContain("ap_live").doesNotContain("\n")
                .startsWith("java.lang.IllegalStateException: [scrubbed] at "
                        + "io.agentstream.problem.SecretScrubberTest.itsOneLineNamesTheClassTheThrowingFrameAndTheCauses(")
                .endsWith("; caused by java.lang.IllegalArgumentException: [scrubbed]");
    }

    @Test
    void aCauseCycleEnds() {
        IllegalStateException a = new IllegalStateException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        Throwable scrubbed = SecretScrubber.scrubbed(a);
        assertThat(scrubbed.getCause().getCause()).isSameAs(scrubbed);
        assertThat(scrubbed.toString()).endsWith("; caused by java.lang.RuntimeException: [scrubbed]");
    }

    @Test
    void masksKeyShapedTextAndKeepsTheRest() {
        assertThat(SecretScrubber.mask("GET /x?access_token=t0k&y=1 Authorization: Bearer k3y ap_live_Q_1 password=pw"))
                .isEqualTo("GET /x?access_token=[scrubbed]&y=1 Authorization: Bearer [scrubbed] [scrubbed] password=[scrubbed]");
        assertThat(SecretScrubber.mask(null)).isNull();
    }
}
