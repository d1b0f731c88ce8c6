package io.agentstream.database;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Rows cut into the groups that multi-row statements write: at most a number of rows, and at
 * most about {@link #MAX_BYTES} of their text, since the driver encodes each statement's
 * parameters in one direct buffer (a statement of 500 messages of 99,000 characters asked for
 * 46 MB at once). A row larger than that goes alone.
 */
public final class StatementChunks {

    /** The text one statement carries, at most (but for a single larger row). */
    public static final long MAX_BYTES = 4L << 20;

    private StatementChunks() {
    }

    public static <T> List<List<T>> of(List<T> rows, int maxRows, ToLongFunction<T> bytes) {
        List<List<T>> chunks = new ArrayList<>();
        int from = 0;
        long size = 0;
        for (int i = 0; i < rows.size(); i++) {
            long row = bytes.applyAsLong(rows.get(i));
            if (i > from && (i - from == maxRows || size + row > MAX_BYTES)) {
                chunks.add(rows.subList(from, i));
                from = i;
                size = 0;
            }
            size += row;
        }
        if (from < rows.size()) {
            chunks.add(rows.subList(from, rows.size()));
        }
        return chunks;
    }
}
