package io.agentstream.stream;

import java.util.List;

import io.agentstream.stream.EventLog.Snapshot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SettlementTest {

    private static StreamEvent event(long id) {
        return new StreamEvent(id, "log.entry", null, "{}");
    }

    private static List<Long> ids(Settlement.Step step) {
        return step.publish().stream().map(StreamEvent::id).toList();
    }

    @Test
    void aQuiescentSnapshotSettlesEverythingItSees() {
        Settlement settlement = new Settlement(0);
        Settlement.Step step = settlement.onRead(new Snapshot(100, 100, 100), List.of(event(1), event(2), event(4)), false);
        assertThat(ids(step)).containsExactly(1L, 2L, 4L);
        assertThat(step.cursor()).isEqualTo(4);
        assertThat(step.waiting()).isFalse();
    }

    @Test
    void aLowerOffsetThatCommitsLateIsDeliveredBeforeTheHigherOnesSeenFirst() {
        // Offset 2's transaction (xid 101) is in progress while offset 3 (xid 102) is visible.
        Settlement settlement = new Settlement(1);
        Settlement.Step first = settlement.onRead(new Snapshot(101, 103, 103), List.of(event(3)), false);
        assertThat(first.publish()).isEmpty();
        assertThat(first.waiting()).isTrue();
        assertThat(first.cursor()).isEqualTo(1);

        // 101 is still running: nothing moves, even though a newer snapshot shows more.
        Settlement.Step still = settlement.onRead(new Snapshot(101, 105, 105), List.of(event(3), event(5)), false);
        assertThat(still.publish()).isEmpty();

        // Everything below 103 has ended; 2 committed meanwhile. 5's transaction (104) may still run.
        Settlement.Step settled = settlement.onRead(new Snapshot(104, 106, 106), List.of(event(2), event(3), event(5)), false);
        assertThat(ids(settled)).containsExactly(2L, 3L);
        assertThat(settled.cursor()).isEqualTo(3);
        assertThat(settled.waiting()).isTrue();

        Settlement.Step rest = settlement.onRead(new Snapshot(106, 106, 106), List.of(event(5)), false);
        assertThat(ids(rest)).containsExactly(5L);
        assertThat(rest.cursor()).isEqualTo(5);
        assertThat(rest.waiting()).isFalse();
    }

    @Test
    void anOlderTransactionCommittingAHigherOffsetDoesNotLetAYoungerLowerOneBeSkipped() {
        // Transaction 50 (old) drew offset 9 and committed; transaction 105 (young) drew 8 and still runs.
        Settlement settlement = new Settlement(7);
        Settlement.Step first = settlement.onRead(new Snapshot(105, 106, 106), List.of(event(9)), false);
        assertThat(first.publish()).isEmpty();
        Settlement.Step after = settlement.onRead(new Snapshot(106, 107, 107), List.of(event(8), event(9)), false);
        assertThat(ids(after)).containsExactly(8L, 9L);
    }

    @Test
    void aRunningTransactionNewerThanTheLatestCompletedOneIsNotMissed() {
        // Transaction 100 drew offset 5 and runs; 99 committed offset 6 and is the latest
        // completed, so the snapshot's xmin and xmax are both 100 and its in-progress list is
        // empty. Only the id the read drew (101) shows that 100 may still be running.
        Settlement settlement = new Settlement(4);
        Settlement.Step first = settlement.onRead(new Snapshot(100, 100, 101), List.of(event(6)), false);
        assertThat(first.publish()).isEmpty();
        assertThat(first.waiting()).isTrue();
        Settlement.Step after = settlement.onRead(new Snapshot(102, 102, 102), List.of(event(5), event(6)), false);
        assertThat(ids(after)).containsExactly(5L, 6L);
    }

    @Test
    void aFullReadMovesTheCursorToTheLastEventReadAndAsksForMore() {
        Settlement settlement = new Settlement(0);
        Settlement.Step step = settlement.onRead(new Snapshot(10, 10, 10), List.of(event(1), event(2)), true);
        assertThat(ids(step)).containsExactly(1L, 2L);
        assertThat(step.readAgainNow()).isTrue();
        Settlement.Step next = settlement.onRead(new Snapshot(10, 10, 10), List.of(event(3)), false);
        assertThat(ids(next)).containsExactly(3L);
        assertThat(next.readAgainNow()).isFalse();
    }

    @Test
    void gapsOfRolledBackOffsetsAreSkippedOnceSettled() {
        Settlement settlement = new Settlement(0);
        settlement.onRead(new Snapshot(20, 22, 22), List.of(event(4)), false);
        Settlement.Step step = settlement.onRead(new Snapshot(22, 22, 22), List.of(event(4)), false);
        assertThat(ids(step)).containsExactly(4L);
        assertThat(step.cursor()).isEqualTo(4);
    }
}
