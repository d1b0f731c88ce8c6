package io.agentstream.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatementChunksTest {

    private static final long MB = 1L << 20;

    @Test
    void rowsAreCutByCountAndByBytes() {
        assertThat(StatementChunks.of(List.of(1L, 1L, 1L, 1L, 1L), 2, size -> size)).extracting(List::size).containsExactly(2, 2, 1);
        assertThat(StatementChunks.of(List.of(MB, 2 * MB, 2 * MB, MB), 1000, size -> size)).extracting(List::size)
                .containsExactly(2, 2);
    }

    @Test
    void aRowLargerThanAStatementGoesAlone() {
        assertThat(StatementChunks.of(List.of(MB, 9 * MB, MB), 1000, size -> size)).extracting(List::size).containsExactly(1, 1, 1);
        assertThat(StatementChunks.of(List.<Long>of(), 10, size -> size)).isEmpty();
    }
}
