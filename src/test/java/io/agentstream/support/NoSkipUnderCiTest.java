package io.agentstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.Extension;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class NoSkipUnderCiTest {

    @Test
    void aSkipFailsUnderCiAndStandsElsewhere() {
        TestAbortedException skip = new TestAbortedException("Assumption failed: Node.js is not installed");
        assertThat(new NoSkipUnderCi("true").refused(skip)).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("Skipped under CI=true").hasMessageContaining("Node.js is not installed");
        assertThat(new NoSkipUnderCi("TRUE").refused(skip)).isInstanceOf(AssertionFailedError.class);
        assertThat(new NoSkipUnderCi("false").refused(skip)).isSameAs(skip);
        assertThat(new NoSkipUnderCi(null).refused(skip)).isSameAs(skip);
        IllegalStateException failure = new IllegalStateException("a real failure");
        assertThat(new NoSkipUnderCi("true").refused(failure)).isSameAs(failure);
    }

    @Test
    void isRegisteredForEveryTest() {
        assertThat(ServiceLoader.load(Extension.class).stream().map(ServiceLoader.Provider::type))
                .contains(NoSkipUnderCi.class);
    }
}
