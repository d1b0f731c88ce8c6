package io.agentstream.stream;

import java.util.List;

import io.agentstream.stream.EventLog.Snapshot;

/**
 * Decides which offsets are final, so the stream never delivers N while a lower offset can
 * still commit. Offsets are drawn only after the writing transaction has its id (migration
 * V2), so every offset up to the highest one a read saw belongs to a transaction whose id
 * is below the id the read drew after its snapshot ({@code next}). Once a later read's
 * xmin reaches that id, all of those transactions have ended, and every offset up to the
 * highest one seen is final: committed and visible, or never to appear. A read whose
 * snapshot had nothing running settles what it sees at once.
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
    private long candidateNext = -1;

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
     * @param full     whether the read stopped at its limit of events or bytes (more events
     *                 may follow, unseen by this read)
     */
    Step onRead(Snapshot snapshot, List<StreamEvent> events, boolean full) {
        if (candidateMax >= 0 && snapshot.xmin() >= candidateNext) {
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
            candidateNext = snapshot.next();
        }
        return new Step(events.subList(0, deliverable), cursor, full && deliverable == events.size(), candidateMax >= 0);
    }
}
