package io.agentstream.conversation;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.agentstream.conversation.ConversationViews.Detail;
import io.agentstream.conversation.ConversationViews.Item;
import io.agentstream.conversation.ConversationViews.Message;
import io.agentstream.conversation.ConversationViews.MetricsSummary;
import io.agentstream.conversation.ConversationViews.Page;
import io.agentstream.conversation.ConversationViews.Participant;
import io.agentstream.conversation.ConversationViews.Reported;
import io.agentstream.conversation.ConversationViews.Totals;
import io.agentstream.conversation.ConversationViews.Usage;
import io.agentstream.database.Queries;
import io.agentstream.event.IngestJson;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The read API's queries and the admin delete; all SQL is in {@link ConversationSql}. */
@Component
class ConversationStore {

    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(8);

    /** The list's filters; null means not filtered. */
    record Filters(String status, String mode, String agentType, String model, OffsetDateTime since,
                   OffsetDateTime until, String query) {
    }

    /** The scope of the conversation list's cursors. */
    static final String LIST_SCOPE = "conversations";

    /** The scope of one conversation's message cursors: a cursor of another conversation is refused. */
    static String messagesScope(String conversationId) {
        return "messages:" + conversationId;
    }

    private final DatabaseClient db;
    private final CursorCodec cursors;

    ConversationStore(DatabaseClient db, CursorCodec cursors) {
        this.db = db;
        this.cursors = cursors;
    }

    Mono<Page<Item>> list(Filters filters, PageCursor after, int limit) {
        List<String> conditions = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        condition(conditions, values, ConversationSql.FILTER_STATUS, "status", filters.status());
        condition(conditions, values, ConversationSql.FILTER_MODE, "mode", filters.mode());
        condition(conditions, values, ConversationSql.FILTER_AGENT_TYPE, "agent_type", filters.agentType());
        condition(conditions, values, ConversationSql.FILTER_MODEL, "model", filters.model());
        condition(conditions, values, ConversationSql.FILTER_SINCE, "since", filters.since());
        condition(conditions, values, ConversationSql.FILTER_UNTIL, "until", filters.until());
        condition(conditions, values, ConversationSql.FILTER_QUERY, "q", filters.query() == null ? null : likePattern(filters.query()));
        if (after != null) {
            conditions.add(ConversationSql.FILTER_AFTER_CURSOR);
            values.put("cursor_us", after.timeMicros());
            values.put("cursor_id", after.id());
        }
        values.put("limit", limit + 1);
        String sql = ConversationSql.LIST_SELECT + (conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions))
                + ConversationSql.LIST_ORDER;
        GenericExecuteSpec spec = db.sql(sql);
        for (Map.Entry<String, Object> value : values.entrySet()) {
            spec = spec.bind(value.getKey(), value.getValue());
        }
        return spec.map(row -> new Keyed<>(item(row), new PageCursor(null, row.get("created_us", Long.class),
                        row.get("id", String.class)))).all().collectList()
                .map(rows -> page(rows, limit, LIST_SCOPE))
                .transform(ConversationStore::guarded);
    }

    Mono<Detail> detail(String id) {
        Mono<List<Participant>> participants = db.sql(ConversationSql.AGENTS).bind("id", id).map(ConversationStore::participant)
                .all().collectList();
        // A row is readable only inside the mapping callback: read it all there.
        return db.sql(ConversationSql.CONVERSATION).bind("id", id).map(row -> detail(row, List.of())).first()
                .zipWith(participants, (detail, agents) -> new Detail(detail.id(), detail.name(), detail.mode(),
                        detail.status(), detail.source(), detail.placeholder(), detail.initialPrompt(), detail.maxTurns(),
                        detail.command(), detail.startedAt(), detail.completedAt(), detail.createdAt(), detail.updatedAt(),
                        detail.totals(), detail.reported(), detail.maxTurnNumber(), agents, detail.systemInfo(),
                        detail.summary(), detail.error()))
                .transform(ConversationStore::guarded);
    }

    /** Whether a conversation was deleted (with everything of it). */
    Mono<Boolean> delete(String id) {
        return db.sql(ConversationSql.DELETE).bind("id", id).fetch().rowsUpdated().map(rows -> rows > 0)
                .transform(ConversationStore::guarded);
    }

    Mono<Boolean> exists(String id) {
        return db.sql(ConversationSql.EXISTS).bind("id", id).map(row -> row.get("present", Boolean.class)).one()
                .transform(ConversationStore::guarded);
    }

    Mono<Page<Message>> messages(String id, PageCursor after, int limit) {
        String sql = after == null ? ConversationSql.MESSAGES_FIRST
                : after.sequence() == null ? ConversationSql.MESSAGES_AFTER_UNNUMBERED : ConversationSql.MESSAGES_AFTER_NUMBERED;
        GenericExecuteSpec spec = db.sql(sql).bind("id", id).bind("limit", limit + 1);
        if (after != null) {
            spec = spec.bind("cursor_us", after.timeMicros()).bind("cursor_id", Long.parseLong(after.id()));
            if (after.sequence() != null) {
                spec = spec.bind("seq", after.sequence().intValue());
            }
        }
        return spec.map(row -> {
                    Integer sequence = row.get("sequence_number", Integer.class);
                    return new Keyed<>(message(row), new PageCursor(sequence == null ? null : sequence.longValue(),
                            row.get("created_us", Long.class), row.get("id", Long.class).toString()));
                })
                .all().collectList()
                .map(rows -> page(rows, limit, messagesScope(id)))
                .transform(ConversationStore::guarded);
    }

    /** Every message of a conversation, in order, read page by page as the consumer asks. */
    Flux<Message> allMessages(String id, int pageSize) {
        return messages(id, null, pageSize)
                .expand(page -> page.nextCursor() == null ? Mono.empty()
                        : messages(id, cursors.decode(page.nextCursor(), messagesScope(id)), pageSize))
                .concatMapIterable(Page::items);
    }

    /** The stored raw events of a conversation (the CLI's log), page by page. */
    Flux<String> events(String id, int pageSize) {
        return eventPage(id, 0, pageSize)
                .expand(page -> page.size() < pageSize ? Mono.empty() : eventPage(id, (Long) page.getLast()[0], pageSize))
                .concatMapIterable(page -> page.stream().map(row -> (String) row[1]).toList());
    }

    private Mono<List<Object[]>> eventPage(String id, long after, int limit) {
        return db.sql(ConversationSql.EVENTS).bind("id", id).bind("after", after).bind("limit", limit)
                .map(row -> new Object[] {row.get("id", Long.class), row.get("payload", String.class)})
                .all().collectList().transform(ConversationStore::guarded);
    }

    Mono<MetricsSummary> metrics(OffsetDateTime since, OffsetDateTime until) {
        String conversationWindow = ConversationSql.window(ConversationSql.CONVERSATION_TIME, since != null, until != null);
        Mono<Map<String, Long>> statuses = window(db.sql(ConversationSql.STATUS_COUNTS.formatted(conversationWindow)), since, until)
                .map(row -> Map.entry(row.get("status", String.class), row.get("conversations", Long.class))).all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new);
        String messageWindow = ConversationSql.window(ConversationSql.MESSAGE_TIME, since != null, until != null);
        Mono<List<Usage>> byType = usage(ConversationSql.BY_AGENT_TYPE.formatted(messageWindow), since, until);
        Mono<List<Usage>> byModel = usage(ConversationSql.BY_MODEL.formatted(messageWindow), since, until);
        return Mono.zip(statuses, byType, byModel).map(all -> {
            long messages = all.getT2().stream().mapToLong(Usage::messages).sum();
            long tokens = all.getT2().stream().mapToLong(Usage::tokens).sum();
            BigDecimal cost = all.getT2().stream().map(Usage::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
            return new MetricsSummary(since, until, all.getT1(), messages, tokens, cost, all.getT2(), all.getT3());
        }).transform(ConversationStore::guarded);
    }

    private static GenericExecuteSpec window(GenericExecuteSpec spec, OffsetDateTime since, OffsetDateTime until) {
        GenericExecuteSpec bound = since == null ? spec : spec.bind("since", since);
        return until == null ? bound : bound.bind("until", until);
    }

    private Mono<List<Usage>> usage(String sql, OffsetDateTime since, OffsetDateTime until) {
        return window(db.sql(sql), since, until)
                .map(row -> new Usage(row.get("key", String.class), row.get("messages", Long.class),
                        row.get("tokens", Number.class).longValue(), row.get("cost", BigDecimal.class)))
                .all().collectList();
    }

    /** A row and the cursor that continues after it. */
    private record Keyed<T>(T row, PageCursor cursor) {
    }

    /** One row more than the page was read, to tell whether a next page exists. */
    private <T> Page<T> page(List<Keyed<T>> rows, int limit, String scope) {
        boolean more = rows.size() > limit;
        List<Keyed<T>> page = more ? rows.subList(0, limit) : rows;
        return new Page<>(page.stream().map(Keyed::row).toList(), more ? cursors.encode(page.getLast().cursor(), scope) : null);
    }

    private static <T> Mono<T> guarded(Mono<T> query) {
        return Queries.bounded(query, QUERY_TIMEOUT);
    }

    private static void condition(List<String> conditions, Map<String, Object> values, String sql, String name, Object value) {
        if (value != null) {
            conditions.add(sql);
            values.put(name, value);
        }
    }

    /** q matches as a substring: LIKE's own wildcards in it are taken literally. */
    private static String likePattern(String query) {
        return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static Totals totals(Readable row) {
        return new Totals(row.get("message_count", Long.class), row.get("tokens_used", Long.class),
                row.get("input_tokens", Long.class), row.get("output_tokens", Long.class), row.get("cost", BigDecimal.class),
                row.get("messages_duration_ms", Long.class));
    }

    private static Item item(Readable row) {
        String[] types = row.get("agent_types", String[].class);
        return new Item(row.get("id", String.class), row.get("name", String.class), row.get("mode", String.class),
                row.get("status", String.class), row.get("source", String.class), row.get("initial_prompt", String.class),
                row.get("started_at", OffsetDateTime.class), row.get("completed_at", OffsetDateTime.class),
                row.get("created_at", OffsetDateTime.class), row.get("updated_at", OffsetDateTime.class), totals(row),
                new Reported(row.get("total_messages", Long.class), null, row.get("total_tokens", Long.class),
                        row.get("total_cost", BigDecimal.class), null),
                row.get("participant_count", Long.class), types == null ? List.of() : Arrays.asList(types));
    }

    private static Participant participant(Readable row) {
        return new Participant(row.get("position", Integer.class), row.get("agent_type", String.class),
                row.get("agent_id", String.class), row.get("name", String.class), row.get("agent_version", String.class),
                row.get("model", String.class), row.get("prompt", String.class), row.get("cli_version", String.class));
    }

    static Message message(Readable row) {
        return new Message(row.get("message_id", String.class), row.get("agent_id", String.class),
                row.get("agent_type", String.class), row.get("agent_name", String.class),
                row.get("agent_version", String.class), row.get("role", String.class), row.get("content", String.class),
                row.get("sequence_number", Integer.class), row.get("turn_number", Integer.class),
                row.get("tokens_used", Long.class), row.get("input_tokens", Long.class), row.get("output_tokens", Long.class),
                row.get("cost", BigDecimal.class), row.get("model", String.class), row.get("duration_ms", Long.class),
                row.get("created_at", OffsetDateTime.class));
    }

    @SuppressWarnings("unchecked")
    private static Detail detail(Readable row, List<Participant> participants) {
        String command = row.get("command", String.class);
        Map<String, Object> commandMap = command == null ? null : IngestJson.MAPPER.readValue(command, LinkedHashMap.class);
        String summaryText = row.get("summary_text", String.class);
        String summaryShort = row.get("summary_short_text", String.class);
        String errorMessage = row.get("error_message", String.class);
        return new Detail(row.get("id", String.class), row.get("name", String.class), row.get("mode", String.class),
                row.get("status", String.class), row.get("source", String.class),
                Boolean.TRUE.equals(row.get("is_placeholder", Boolean.class)), row.get("initial_prompt", String.class),
                row.get("max_turns", Integer.class), commandMap,
                row.get("started_at", OffsetDateTime.class), row.get("completed_at", OffsetDateTime.class),
                row.get("created_at", OffsetDateTime.class), row.get("updated_at", OffsetDateTime.class), totals(row),
                new Reported(row.get("total_messages", Long.class), row.get("total_turns", Integer.class),
                        row.get("total_tokens", Long.class), row.get("total_cost", BigDecimal.class),
                        row.get("duration_seconds", BigDecimal.class)),
                row.get("max_turn_number", Integer.class), participants,
                new ConversationViews.SystemInfo(row.get("agentpipe_version", String.class), row.get("os", String.class),
                        row.get("os_version", String.class), row.get("go_version", String.class),
                        row.get("architecture", String.class)),
                summaryText == null && summaryShort == null ? null : new ConversationViews.Summary(summaryShort, summaryText,
                        row.get("summary_agent_type", String.class), row.get("summary_model", String.class),
                        row.get("summary_input_tokens", Long.class), row.get("summary_output_tokens", Long.class),
                        row.get("summary_total_tokens", Long.class), row.get("summary_cost", BigDecimal.class),
                        row.get("summary_duration_ms", Long.class)),
                errorMessage == null ? null : new ConversationViews.Error(errorMessage, row.get("error_type", String.class),
                        row.get("error_agent_type", String.class)));
    }

}
