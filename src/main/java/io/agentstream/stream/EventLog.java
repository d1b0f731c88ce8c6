package io.agentstream.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.agentstream.database.Queries;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Reads of the events table for the stream: the tailer's reads, replays and catch-up pages.
 * Every read is bounded in events and in bytes of event data (SSE_PAGE_BYTES), beyond its
 * first event, which is always returned so that reads progress.
 */
@Component
class EventLog {

    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Where a read stood among transactions: every transaction id below {@code xmin} had
     * ended; {@code next} was drawn after the read's snapshot, so every transaction that
     * could have drawn an offset the read saw has an id below it.
     */
    record Snapshot(long xmin, long xmax, long next) {

        /**
         * Nothing was running when the snapshot was taken: none in its in-progress list
         * (xmin = xmax), and no transaction id handed out beyond the latest completed one
         * (the read's own id is the next after it).
         */
        boolean quiescent() {
            return xmin >= xmax && next == xmax;
        }
    }

    /** {@code full}: the read stopped at its limit of events or of bytes, so more may follow. */
    record TailRead(Snapshot snapshot, List<StreamEvent> events, boolean full) {
    }

    /** {@code full}: the page stopped at its limit of events or of bytes, so more may follow. */
    record Page(List<StreamEvent> events, boolean full) {
    }

    record Head(Snapshot snapshot, long head) {
    }

    /** An event as read, with its place in the read and the running total of data bytes up to it. */
    private record Row(StreamEvent event, int n, long total) {
    }

    private final DatabaseClient db;
    private final long pageBytes;

    EventLog(DatabaseClient db, StreamProperties properties) {
        this.db = db;
        this.pageBytes = properties.pageBytes().toBytes();
    }

    Mono<TailRead> tail(long after, int limit) {
        return db.sql(StreamSql.TAIL).bind("after", after).bind("limit", limit).bind("bytes", pageBytes)
                .map(row -> new Object[] {snapshot(row), row.get("id") == null ? null : row(row)})
                .all()
                .collectList()
                .map(rows -> {
                    List<Row> events = new ArrayList<>(rows.size());
                    for (Object[] row : rows) {
                        if (row[1] != null) {
                            events.add((Row) row[1]);
                        }
                    }
                    Page page = page(events, limit);
                    return new TailRead((Snapshot) rows.getFirst()[0], page.events(), page.full());
                })
                .timeout(QUERY_TIMEOUT);
    }

    Mono<Head> head() {
        return db.sql(StreamSql.HEAD)
                .map(row -> new Head(snapshot(row), row.get("head", Long.class)))
                .one()
                .timeout(QUERY_TIMEOUT);
    }

    /** Matching events in (after, upto], in offset order, at most limit and about SSE_PAGE_BYTES. */
    Mono<Page> page(long after, long upto, EventFilter filter, int limit) {
        String sql = filter.conversationId() == null
                ? (filter.types() == null ? StreamSql.PAGE : StreamSql.PAGE_BY_TYPES)
                : (filter.types() == null ? StreamSql.PAGE_BY_CONVERSATION : StreamSql.PAGE_BY_CONVERSATION_AND_TYPES);
        GenericExecuteSpec spec = db.sql(sql).bind("after", after).bind("upto", upto).bind("limit", limit)
                .bind("bytes", pageBytes);
        if (filter.conversationId() != null) {
            spec = spec.bind("conversation_id", filter.conversationId());
        }
        if (filter.types() != null) {
            spec = spec.bind("types", filter.types().toArray(String[]::new));
        }
        return read(spec, limit);
    }

    /** One API key's matching events in (after, upto], in offset order, at most limit and about SSE_PAGE_BYTES (audit). */
    Mono<Page> pageByKey(long after, long upto, String keyId, EventFilter filter, int limit) {
        GenericExecuteSpec spec = db.sql(StreamSql.PAGE_BY_KEY).bind("after", after).bind("upto", upto).bind("limit", limit)
                .bind("bytes", pageBytes)
                .bind("key_id", keyId)
                .bind("conversation_id", filter.conversationId() == null ? "" : filter.conversationId())
                .bind("types", filter.types() == null ? new String[0] : filter.types().toArray(String[]::new));
        return read(spec, limit);
    }

    /**
     * Every matching event in (after, upto], read page by page as the subscriber consumes them:
     * the page being sent, and the next one once it is read, are all a replay holds.
     */
    Flux<StreamEvent> replay(long after, long upto, EventFilter filter, int pageSize) {
        return page(after, upto, filter, pageSize)
                .expand(page -> page.full() ? page(page.events().getLast().id(), upto, filter, pageSize) : Mono.empty())
                .flatMapIterable(Page::events, 1);
    }

    private Mono<Page> read(GenericExecuteSpec spec, int limit) {
        return Queries.bounded(spec.map(EventLog::row).all().collectList(), QUERY_TIMEOUT).map(rows -> page(rows, limit));
    }

    private Page page(List<Row> rows, int limit) {
        List<StreamEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            events.add(row.event());
        }
        boolean full = !rows.isEmpty() && (rows.getLast().n() >= limit || rows.getLast().total() >= pageBytes);
        return new Page(events, full);
    }

    /** The lowest offset still stored, or empty when the log is empty. */
    Mono<Long> earliest() {
        return Queries.bounded(db.sql(StreamSql.EARLIEST).map(row -> row.get("earliest", Long.class)).first(), QUERY_TIMEOUT);
    }

    Mono<Boolean> exists(long id) {
        return Queries.bounded(db.sql(StreamSql.EXISTS).bind("id", id).map(row -> row.get("present", Boolean.class)).one(),
                QUERY_TIMEOUT);
    }

    private static Snapshot snapshot(Readable row) {
        return new Snapshot(row.get("xmin", Long.class), row.get("xmax", Long.class), row.get("next", Long.class));
    }

    private static Row row(Readable row) {
        return new Row(event(row), row.get("n", Integer.class), row.get("total", Long.class));
    }

    private static StreamEvent event(Readable row) {
        long id = row.get("id", Long.class);
        String type = row.get("type", String.class);
        Long committedAt = row.get("committed_at_ms", Long.class);
        return new StreamEvent(id, type, row.get("conversation_id", String.class),
                render(id, type, row.get("timestamp", String.class), row.get("data", String.class)),
                committedAt == null ? 0 : committedAt);
    }

    /** {"event_id","type","timestamp","data"}: data is the event's data as stored (jsonb text). */
    static String render(long id, String type, String timestamp, String data) {
        StringBuilder json = new StringBuilder(64 + (data == null ? 4 : data.length()));
        json.append("{\"event_id\":").append(id).append(",\"type\":");
        quote(json, type);
        json.append(",\"timestamp\":");
        if (timestamp == null) {
            json.append("null");
        } else {
            quote(json, timestamp);
        }
        json.append(",\"data\":").append(data == null ? "null" : data).append('}');
        return json.toString();
    }

    private static void quote(StringBuilder json, String value) {
        json.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, json);
        json.append('"');
    }
}
