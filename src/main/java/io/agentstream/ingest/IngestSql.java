package io.agentstream.ingest;

/** Every statement of the ingest write path. Parameters are named; nothing is concatenated. */
final class IngestSql {

    private IngestSql() {
    }

    /**
     * Order tolerance: every conversation a batch names gets its row if it has none yet.
     * Rows are taken in id order, like {@link #LOCK_CONVERSATIONS}.
     */
    static final String ENSURE_CONVERSATIONS = """
            insert into conversations (id, source)
            select c.id, c.source from unnest(cast(:ids as text[]), cast(:sources as text[])) as c(id, source)
            order by c.id
            on conflict (id) do nothing
            """;

    /**
     * A batch locks every conversation it will change before it changes anything, in id
     * order: two batches that share conversations then queue one behind the other instead
     * of deadlocking on an opposite order.
     */
    static final String LOCK_CONVERSATIONS = """
            select id from conversations where id = any(cast(:ids as text[])) order by id for update
            """;

    /**
     * The batch's events in arrival order, so offsets follow it. A dedup key already stored
     * (a retry) inserts nothing and returns no row; a key that a concurrent transaction is
     * inserting waits for it, so a retry is never stored twice.
     */
    static final String INSERT_EVENTS = """
            insert into events (type, conversation_id, occurred_at, dedup_key, source, payload, key_id)
            select e.type, e.conversation_id, e.occurred_at, e.dedup_key, e.source, e.payload, e.key_id
            from unnest(cast(:types as text[]), cast(:conversation_ids as text[]), cast(:occurred_ats as timestamptz[]),
                        cast(:dedup_keys as text[]), cast(:sources as text[]), cast(:payloads as jsonb[]),
                        cast(:key_ids as text[]))
                with ordinality as e(type, conversation_id, occurred_at, dedup_key, source, payload, key_id, arrival)
            order by e.arrival
            on conflict (dedup_key) do nothing
            returning id, dedup_key
            """;

    static final String ORIGINAL_EVENT_IDS = """
            select id, dedup_key from events where dedup_key = any(cast(:dedup_keys as text[]))
            """;

    /**
     * New messages in one statement, for ingest batches and upload chunks alike
     * ({@link MessageRows}); each conversation's totals grow by exactly the rows inserted (a
     * message already stored under its id adds nothing), in one update per conversation.
     * Exact under any concurrency: the rows are locked. Answers how many rows were new.
     */
    static final String INSERT_MESSAGES = """
            with inserted as (
                insert into messages
                    (conversation_id, message_id, event_id, agent_id, agent_type, agent_name, agent_version, role,
                     content, sequence_number, turn_number, tokens_used, input_tokens, output_tokens, cost, model,
                     duration_ms, created_at, key_id)
                select m.conversation_id, m.message_id, m.event_id, m.agent_id, m.agent_type, m.agent_name,
                       m.agent_version, m.role, m.content, m.sequence_number, m.turn_number, m.tokens_used,
                       m.input_tokens, m.output_tokens, m.cost, m.model, m.duration_ms, m.created_at, m.key_id
                from unnest(cast(:conversation_ids as text[]), cast(:message_ids as text[]), cast(:event_ids as bigint[]),
                            cast(:agent_ids as text[]), cast(:agent_types as text[]), cast(:agent_names as text[]),
                            cast(:agent_versions as text[]), cast(:roles as text[]), cast(:contents as text[]),
                            cast(:sequence_numbers as integer[]), cast(:turn_numbers as integer[]),
                            cast(:tokens_used as bigint[]), cast(:input_tokens as bigint[]), cast(:output_tokens as bigint[]),
                            cast(:costs as numeric[]), cast(:models as text[]), cast(:durations as bigint[]),
                            cast(:created_ats as timestamptz[]), cast(:key_ids as text[]))
                    with ordinality as m(conversation_id, message_id, event_id, agent_id, agent_type, agent_name,
                                         agent_version, role, content, sequence_number, turn_number, tokens_used,
                                         input_tokens, output_tokens, cost, model, duration_ms, created_at, key_id,
                                         arrival)
                order by m.arrival
                on conflict (conversation_id, message_id) do nothing
                returning conversation_id, tokens_used, input_tokens, output_tokens, cost, duration_ms, turn_number
            ), totals as (
                select conversation_id,
                       count(*) as messages,
                       coalesce(sum(coalesce(tokens_used,
                           case when input_tokens is null and output_tokens is null then 0
                                else coalesce(input_tokens, 0) + coalesce(output_tokens, 0) end)), 0) as tokens,
                       coalesce(sum(input_tokens), 0) as input_tokens,
                       coalesce(sum(output_tokens), 0) as output_tokens,
                       coalesce(sum(cost), 0) as cost,
                       coalesce(sum(duration_ms), 0) as duration_ms,
                       max(turn_number) as turn_number
                from inserted group by conversation_id
            ), updated as (
                update conversations c set
                    message_count = c.message_count + t.messages,
                    tokens_used = c.tokens_used + t.tokens,
                    input_tokens = c.input_tokens + t.input_tokens,
                    output_tokens = c.output_tokens + t.output_tokens,
                    cost = c.cost + t.cost,
                    messages_duration_ms = c.messages_duration_ms + t.duration_ms,
                    max_turn_number = greatest(c.max_turn_number, t.turn_number),
                    updated_at = now()
                from totals t
                where c.id = t.conversation_id
                returning c.id
            )
            select count(*) as created from inserted
            """;

    static final String START_CONVERSATION = """
            update conversations set
                mode = :mode,
                initial_prompt = :initial_prompt,
                max_turns = :max_turns,
                command = cast(:command as jsonb),
                agentpipe_version = :agentpipe_version,
                os = :os,
                os_version = :os_version,
                go_version = :go_version,
                architecture = :architecture,
                started_at = least(started_at, :started_at),
                is_placeholder = false,
                updated_at = now()
            where id = :id
            """;

    static final String DELETE_PARTICIPANTS = "delete from conversation_agents where conversation_id = :id";

    static final String INSERT_PARTICIPANT = """
            insert into conversation_agents
                (conversation_id, position, agent_type, agent_id, name, agent_version, model, prompt, cli_version)
            values (:id, :position, :agent_type, :agent_id, :name, :agent_version, :model, :prompt, :cli_version)
            """;

    /** The CLI's totals are its final word; absent ones leave what is known. */
    static final String COMPLETE_CONVERSATION = """
            update conversations set
                status = :status,
                completed_at = :completed_at,
                total_messages = coalesce(:total_messages, total_messages),
                total_turns = coalesce(:total_turns, total_turns),
                total_tokens = coalesce(:total_tokens, total_tokens),
                total_cost = coalesce(:total_cost, total_cost),
                duration_seconds = coalesce(:duration_seconds, duration_seconds),
                summary_short_text = coalesce(:summary_short_text, summary_short_text),
                summary_text = coalesce(:summary_text, summary_text),
                summary_agent_type = coalesce(:summary_agent_type, summary_agent_type),
                summary_model = coalesce(:summary_model, summary_model),
                summary_input_tokens = coalesce(:summary_input_tokens, summary_input_tokens),
                summary_output_tokens = coalesce(:summary_output_tokens, summary_output_tokens),
                summary_total_tokens = coalesce(:summary_total_tokens, summary_total_tokens),
                summary_cost = coalesce(:summary_cost, summary_cost),
                summary_duration_ms = coalesce(:summary_duration_ms, summary_duration_ms),
                updated_at = now()
            where id = :id
            """;

    /** An error that arrives after the completion does not overturn the CLI's final status. */
    static final String FAIL_CONVERSATION = """
            update conversations set
                status = case when completed_at is null then 'ERROR' else status end,
                error_message = :error_message,
                error_type = :error_type,
                error_agent_type = :error_agent_type,
                updated_at = now()
            where id = :id
            """;
}
