package io.agentstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    record Claim(String memoryVariables, long memoryBytes) implements MemoryClaim {
    }

    private static final long MB = 1L << 20;

    @Test
    void claimsThatFitWithTheBaselineStart() {
        List<MemoryClaim> claims = List.of(new Claim("A", 200 * MB), new Claim("B × C", 200 * MB));
        assertThatNoException().isThrownBy(() -> MemoryBudget.check(claims, 576 * MB));
    }

    @Test
    void claimsThatCannotFitNameEveryVariableAndTheHeap() {
        List<MemoryClaim> claims = List.of(new Claim("A", 300 * MB), new Claim("B × C", 200 * MB));
        assertThatThrownBy(() -> MemoryBudget.check(claims, 576 * MB))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.variable()).isEqualTo("A, B × C");
                    assertThat(e.reason()).contains("need about 596 MB").contains("A 300 MB").contains("B × C 200 MB")
                            .contains("the heap is 576 MB").contains("-Xmx");
                });
    }
}
