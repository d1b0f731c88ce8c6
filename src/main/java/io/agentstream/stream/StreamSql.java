package io.agentstream.stream;

/**
 * Every statement the stream runs. Reads return the columns {@link EventLog} renders.
 * The filtered replays are separate statements rather than one with optional predicates
 * ({@code :x is null or ...}) so that each keeps an index plan when PostgreSQL switches
 * to a generic plan.
 */
final class StreamSql {

    private StreamSql() {
    }

    /**
     * received_at is the storing transaction's timestamp: the closest to its commit PostgreSQL
     * records without track_commit_timestamp (group-commit transactions last milliseconds).
     */
    private static final String COLUMNS =
            "id, type, conversation_id, payload ->> 'timestamp' as timestamp, (payload -> 'data')::text as data, "
                    + "(extract(epoch from received_at) * 1000)::bigint as committed_at_ms";

    /**
     * The statement's snapshot bounds, and a transaction id drawn after the snapshot was taken
     * (numbers, because xid8 has no driver codec). The snapshot's xmax is one past the latest
     * <em>completed</em> transaction, so transactions with higher ids may be running unseen; the
     * drawn id bounds every transaction that existed when the snapshot was taken. Drawing it
     * costs one transaction id per read and no WAL flush.
     */
    private static final String SNAPSHOT = """
            (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin,
                    pg_snapshot_xmax(pg_current_snapshot())::text::bigint as xmax,
                    pg_current_xact_id()::text::bigint as next) s
            """;

    /** The tailer's one query per wake-up: events after the cursor, and the snapshot they were read in. */
    static final String TAIL = "select s.xmin, s.xmax, s.next, e.* from " + SNAPSHOT + """
            left join lateral (
                select %s from events where id > :after order by id limit :limit
            ) e on true
            order by e.id
            """.formatted(COLUMNS);

    /** Where the tailer starts: the highest offset visible now, and the snapshot it was seen in. */
    static final String HEAD = "select s.xmin, s.xmax, s.next, (select coalesce(max(id), 0) from events) as head from " + SNAPSHOT;

    /** No row at all when the log is empty (min() would give a row holding null). */
    static final String EARLIEST = "select id as earliest from events order by id limit 1";

    static final String EXISTS = "select exists (select 1 from events where id = :id) as present";

    private static final String RANGE = "select " + COLUMNS + " from events where id > :after and id <= :upto ";

    static final String PAGE = RANGE + "order by id limit :limit";
    static final String PAGE_BY_CONVERSATION = RANGE + "and conversation_id = :conversation_id order by id limit :limit";
    static final String PAGE_BY_TYPES = RANGE + "and type = any(:types) order by id limit :limit";
    /** One key's events (audit); the other filters are optional here ('' and an empty array mean any). */
    static final String PAGE_BY_KEY = RANGE + """
            and key_id = :key_id
            and (:conversation_id = '' or conversation_id = :conversation_id)
            and (cardinality(cast(:types as text[])) = 0 or type = any(cast(:types as text[])))
            order by id limit :limit
            """;
    static final String PAGE_BY_CONVERSATION_AND_TYPES =
            RANGE + "and conversation_id = :conversation_id and type = any(:types) order by id limit :limit";
}
