package io.agentstream.ingest;

/** Every statement of the ingest write path. Parameters are named; nothing is concatenated. */
final class IngestSql {

    private IngestSql() {
    }

    /** Order tolerance: any event that names a conversation makes sure its row exists. */
    static final String ENSURE_CONVERSATION = """
            insert into conversations (id, source) values (:id, :source)
            on conflict (id) do nothing
            """;

    /** Returns no row when the dedup key is already stored: the event is a retry. */
    static final String INSERT_EVENT = """
            insert into events (type, conversation_id, occurred_at, dedup_key, source, payload)
            values (:type, :conversation_id, :occurred_at, :dedup_key, :source, cast(:payload as jsonb))
            on conflict (dedup_key) do nothing
            returning id
            """;

    static final String ORIGINAL_EVENT_ID = "select id from events where dedup_key = :dedup_key";

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

    /** Returns no row when the message is already stored under this id. */
    static final String INSERT_MESSAGE = """
            insert into messages
                (conversation_id, message_id, event_id, agent_id, agent_type, agent_name, agent_version, role,
                 content, sequence_number, turn_number, tokens_used, input_tokens, output_tokens, cost, model,
                 duration_ms, created_at)
            values
                (:conversation_id, :message_id, :event_id, :agent_id, :agent_type, :agent_name, :agent_version, :role,
                 :content, :sequence_number, :turn_number, :tokens_used, :input_tokens, :output_tokens, :cost, :model,
                 :duration_ms, :created_at)
            on conflict (conversation_id, message_id) do nothing
            returning id
            """;

    /** Increments under the row lock: exact under any number of concurrent writers. */
    static final String ADD_MESSAGE_TO_TOTALS = """
            update conversations set
                message_count = message_count + 1,
                tokens_used = tokens_used + :tokens,
                input_tokens = input_tokens + :input_tokens,
                output_tokens = output_tokens + :output_tokens,
                cost = cost + :cost,
                messages_duration_ms = messages_duration_ms + :duration_ms,
                max_turn_number = greatest(max_turn_number, :turn_number),
                updated_at = now()
            where id = :id
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
