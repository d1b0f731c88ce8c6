package io.agentstream.conversation;

import io.agentstream.event.EventType;

/**
 * Every statement of the read API. Lists are keyset-paged on immutable keys, so rows
 * inserted while a client pages never shift a page. Optional filters are fixed fragments
 * joined with {@code and}; values are always bound (the column names of a window are constants).
 */
final class ConversationSql {

    private ConversationSql() {
    }

    static final String LIST_SELECT = """
            select c.id, c.name, c.mode, c.status, c.source, left(c.initial_prompt, 280) as initial_prompt,
                   c.started_at, c.completed_at, c.created_at, c.updated_at,
                   c.message_count, c.tokens_used, c.input_tokens, c.output_tokens, c.cost, c.messages_duration_ms,
                   c.total_messages, c.total_tokens, c.total_cost,
                   (extract(epoch from c.created_at) * 1000000)::bigint as created_us,
                   (select count(*) from conversation_agents a where a.conversation_id = c.id) as participant_count,
                   (select coalesce(array_agg(distinct a.agent_type order by a.agent_type), '{}')
                      from conversation_agents a where a.conversation_id = c.id) as agent_types
            from conversations c
            """;

    static final String FILTER_STATUS = "c.status = :status";
    static final String FILTER_MODE = "c.mode = :mode";
    static final String FILTER_AGENT_TYPE =
            "exists (select 1 from conversation_agents a where a.conversation_id = c.id and a.agent_type = :agent_type)";
    static final String FILTER_MODEL =
            "exists (select 1 from conversation_agents a where a.conversation_id = c.id and a.model = :model)";
    static final String FILTER_SINCE = "c.started_at >= :since";
    static final String FILTER_UNTIL = "c.started_at < :until";
    /** No trigram index: a text search scans the rows the other filters leave. */
    static final String FILTER_QUERY = "(c.name ilike :q escape '\\' or c.initial_prompt ilike :q escape '\\')";
    static final String FILTER_AFTER_CURSOR =
            "(c.created_at, c.id) < (timestamptz 'epoch' + :cursor_us * interval '1 microsecond', :cursor_id)";

    static final String LIST_ORDER = " order by c.created_at desc, c.id desc limit :limit";

    static final String CONVERSATION = """
            select c.*, (c.duration_seconds * 1000)::bigint as duration_ms from conversations c where c.id = :id
            """;

    static final String AGENTS = """
            select position, agent_type, agent_id, name, agent_version, model, prompt, cli_version
            from conversation_agents where conversation_id = :id order by position
            """;

    /** Participants, messages and events go with it (foreign keys cascade). */
    static final String DELETE = "delete from conversations where id = :id";

    static final String EXISTS = "select exists (select 1 from conversations where id = :id) as present";

    private static final String MESSAGE_COLUMNS = """
            select id, message_id, agent_id, agent_type, agent_name, agent_version, role, content, sequence_number,
                   turn_number, tokens_used, input_tokens, output_tokens, cost, model, duration_ms, created_at,
                   (extract(epoch from created_at) * 1000000)::bigint as created_us
            from messages where conversation_id = :id
            """;

    /** Messages by sequence (those without one last), then time, then storage order. */
    static final String MESSAGES_FIRST = MESSAGE_COLUMNS
            + " order by sequence_number nulls last, created_at, id limit :limit";
    static final String MESSAGES_AFTER_NUMBERED = MESSAGE_COLUMNS + """
             and ((sequence_number, created_at, id)
                    > (:seq, timestamptz 'epoch' + :cursor_us * interval '1 microsecond', :cursor_id)
                  or sequence_number is null)
            order by sequence_number nulls last, created_at, id limit :limit
            """;
    static final String MESSAGES_AFTER_UNNUMBERED = MESSAGE_COLUMNS + """
             and sequence_number is null
             and (created_at, id) > (timestamptz 'epoch' + :cursor_us * interval '1 microsecond', :cursor_id)
            order by created_at, id limit :limit
            """;

    /** The conversation's events as the CLI sent them, for the ndjson export. */
    static final String EVENTS = """
            select id, payload::text as payload from events
            where conversation_id = :id and type <> '%s' and id > :after
            order by id limit :limit
            """.formatted(EventType.SESSION_UPLOADED.wireName());

    /**
     * A conversation whose conversation.started never arrived has no started_at: it is
     * counted by when it was first seen, so that without a window every conversation counts.
     */
    static final String STATUS_COUNTS = """
            select status, count(*) as conversations from conversations
            where %s group by status order by status
            """;
    static final String CONVERSATION_TIME = "coalesce(started_at, created_at)";

    static final String MESSAGE_TIME = "created_at";

    /** The window's conditions on a time column; without since and until, none (every row counts). */
    static String window(String column, boolean since, boolean until) {
        return (since ? column + " >= :since" : "true") + (until ? " and " + column + " < :until" : "");
    }

    static final String BY_AGENT_TYPE = """
            select agent_type as key, count(*) as messages,
                   coalesce(sum(coalesce(tokens_used, input_tokens + output_tokens, input_tokens, output_tokens)), 0) as tokens,
                   coalesce(sum(cost), 0) as cost
            from messages where %s
            group by agent_type order by agent_type
            """;

    static final String BY_MODEL = """
            select coalesce(model, 'unknown') as key, count(*) as messages,
                   coalesce(sum(coalesce(tokens_used, input_tokens + output_tokens, input_tokens, output_tokens)), 0) as tokens,
                   coalesce(sum(cost), 0) as cost
            from messages where %s
            group by coalesce(model, 'unknown') order by 1
            """;
}
