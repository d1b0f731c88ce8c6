package io.agentstream.ingest;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How group commit cuts the queue of requests into transactions, and their results back into requests. */
class GroupCommitGroupingTest {

    /** A request, named for the test, with its number of events. */
    record Request(String name, int events) {
    }

    private static List<String> take(Queue<Request> queue, int maxEvents) {
        return GroupCommitWriter.takeGroup(queue, Request::events, maxEvents).stream().map(Request::name).toList();
    }

    @Test
    void wholeRequestsInArrivalOrderWhileTheyFit() {
        Queue<Request> queue = new ArrayDeque<>(List.of(new Request("a", 100), new Request("b", 100), new Request("c", 56),
                new Request("d", 1)));
        assertThat(take(queue, 256)).containsExactly("a", "b", "c");
        assertThat(take(queue, 256)).containsExactly("d");
        assertThat(take(queue, 256)).isEmpty();
    }

    @Test
    void aRequestIsNeverSplitAndOneLargerThanTheLimitGoesAlone() {
        Queue<Request> queue = new ArrayDeque<>(List.of(new Request("small", 10), new Request("batch", 1000),
                new Request("next", 1)));
        assertThat(take(queue, 256)).containsExactly("small");
        assertThat(take(queue, 256)).containsExactly("batch");
        assertThat(take(queue, 256)).containsExactly("next");
    }

    @Test
    void aLaterSmallRequestDoesNotOvertakeOneThatDoesNotFit() {
        Queue<Request> queue = new ArrayDeque<>(List.of(new Request("a", 200), new Request("b", 100), new Request("c", 1)));
        assertThat(take(queue, 256)).containsExactly("a");
        assertThat(take(queue, 256)).containsExactly("b", "c");
    }

    @Test
    void resultsAreCutBackIntoEachRequestsOwnInOrder() {
        List<Integer> results = List.of(10, 11, 12, 13, 14, 15);
        assertThat(GroupCommitWriter.perRequest(results, List.of(1, 3, 2)))
                .containsExactly(List.of(10), List.of(11, 12, 13), List.of(14, 15));
        assertThat(GroupCommitWriter.perRequest(List.of(), List.of())).isEmpty();
    }
}
