package io.agentstream.stream;

import java.util.List;

import io.agentstream.stream.EventLog.Snapshot;

/**
 * Decides which offsets are final, so the stream never delivers N while a lower offset can
 * still commit. Offsets are drawn only after the writing transaction has its id (migration
 * V2), so every offset that existed when snapshot S was taken belongs to a transaction
 * with an id below S's xmax. Once a later snapshot's xmin reaches S's xmax, all of those
 * transactions have ended, and every offset up to the highest one seen in S is final:
 * committed and visible, or never to appear. A snapshot with nothing in progress
 * (xmin = xmax) settles what it sees at once.
 *
 * <p>Not thread-safe: the tailer drives it from one serial loop.
 */
final class Settlement {

    /** What to do after a read: publish these events and move the cursor. */
    record Step(List<StreamEvent> publish, long cursor, boolean readAgainNow, boolean waiting) {
    }

    private long cursor;
    private long settledUpTo;
    private long candidateMax = -1;
    private long candidateXmax = -1;

    Settlement(long start) {
        this.cursor = start;
        this.settledUpTo = start;
    }

    long cursor() {
        return cursor;
    }

    /**
     * @param snapshot the read's snapshot
     * @param events   events with id above {@link #cursor()}, ascending, as read in it
     * @param full     whether the read hit its limit (more events may follow)
     */
    Step onRead(Snapshot snapshot, List<StreamEvent> events, boolean full) {
        if (candidateMax >= 0 && snapshot.xmin() >= candidateXmax) {
            settledUpTo = Math.max(settledUpTo, candidateMax);
            candidateMax = -1;
        }
        long lastSeen = events.isEmpty() ? cursor : events.getLast().id();
        if (snapshot.quiescent()) {
            settledUpTo = Math.max(settledUpTo, lastSeen);
        }
        int deliverable = 0;
        while (deliverable < events.size() && events.get(deliverable).id() <= settledUpTo) {
            deliverable++;
        }
        boolean allSettledRead = !full || deliverable < events.size();
        if (allSettledRead) {
            cursor = Math.max(cursor, settledUpTo);
        } else if (deliverable > 0) {
            cursor = events.get(deliverable - 1).id();
        }
        if (deliverable < events.size() && candidateMax < 0) {
            candidateMax = lastSeen;
            candidateXmax = snapshot.xmax();
        }
        return new Step(events.subList(0, deliverable), cursor, full && deliverable == events.size(), candidateMax >= 0);
    }
}
