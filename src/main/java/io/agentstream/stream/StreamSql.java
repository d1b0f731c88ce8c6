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

    /**
     * Events after {@code :after} that match {@code where}, in offset order, as a common table
     * expression {@code page}: at most {@code :limit} of them, and none after the one whose data
     * takes the running total to {@code :bytes} or beyond. It is read in batches of 1, 2, 4, ...
     * events, each only while the total is below the budget, so PostgreSQL renders at most about
     * twice the events it returns: a budget reached by the first large event costs one event's
     * rendering, not a thousand. Every row carries its place {@code n} and the running
     * {@code total}, from which the reader knows whether the page stopped at a limit; the rows of
     * the last batch beyond the budget are dropped by {@link #WITHIN_BUDGET}.
     */
    private static String page(String where) {
        return """
                with recursive page as (
                    select f.*, coalesce(octet_length(f.data), 0)::bigint as size, 1 as step,
                           coalesce(octet_length(f.data), 0)::bigint as total, 1 as n, true as last
                    from (select %1$s from events where id > :after %2$s order by id limit 1) f
                  union all
                    select b.* from page p cross join lateral (
                        select f.*, coalesce(octet_length(f.data), 0)::bigint as size, p.step * 2 as step,
                               p.total + sum(coalesce(octet_length(f.data), 0)) over w as total,
                               p.n + (row_number() over w)::int as n,
                               row_number() over w = count(*) over () as last
                        from (select %1$s from events where id > p.id %2$s
                              order by id limit least(p.step * 2, :limit - p.n)) f
                        window w as (order by f.id rows between unbounded preceding and current row)
                    ) b
                    where p.last and p.n < :limit and p.total < :bytes
                )
                """.formatted(COLUMNS, where);
    }

    /** The rows of {@link #page} within the budget: those that begin below it. */
    private static final String WITHIN_BUDGET = "select * from page where total - size < :bytes";

    /** The tailer's one query per wake-up: events after the cursor, and the snapshot they were read in. */
    static final String TAIL = page("") + "select s.xmin, s.xmax, s.next, e.* from " + SNAPSHOT
            + "left join (" + WITHIN_BUDGET + ") e on true order by e.id";

    /** Where the tailer starts: the highest offset visible now, and the snapshot it was seen in. */
    static final String HEAD = "select s.xmin, s.xmax, s.next, (select coalesce(max(id), 0) from events) as head from " + SNAPSHOT;

    /** No row at all when the log is empty (min() would give a row holding null). */
    static final String EARLIEST = "select id as earliest from events order by id limit 1";

    static final String EXISTS = "select exists (select 1 from events where id = :id) as present";

    private static String range(String where) {
        return page("and id <= :upto " + where) + WITHIN_BUDGET + " order by id";
    }

    static final String PAGE = range("");
    static final String PAGE_BY_CONVERSATION = range("and conversation_id = :conversation_id");
    static final String PAGE_BY_TYPES = range("and type = any(:types)");
    /** One key's events (audit); the other filters are optional here ('' and an empty array mean any). */
    static final String PAGE_BY_KEY = range("""
            and key_id = :key_id
            and (:conversation_id = '' or conversation_id = :conversation_id)
            and (cardinality(cast(:types as text[])) = 0 or type = any(cast(:types as text[])))""");
    static final String PAGE_BY_CONVERSATION_AND_TYPES = range("and conversation_id = :conversation_id and type = any(:types)");
}
