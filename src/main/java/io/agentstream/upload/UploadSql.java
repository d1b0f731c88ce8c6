package io.agentstream.upload;

import io.agentstream.event.EventType;

/** Every statement of the upload path. Parameters are named; nothing is concatenated. */
final class UploadSql {

    private UploadSql() {
    }

    /** Returns the id only when the conversation is new. */
    static final String INSERT_CONVERSATION = """
            insert into conversations (id, name, mode, initial_prompt, max_turns, status, source, is_placeholder,
                agentpipe_version, os, os_version, go_version, architecture, started_at, completed_at,
                total_messages, total_turns, total_tokens, total_cost, duration_seconds, command,
                summary_short_text, summary_text, summary_agent_type, summary_model, summary_input_tokens,
                summary_output_tokens, summary_total_tokens, summary_cost, summary_duration_ms,
                error_message, error_type, error_agent_type)
            values (:id, :name, :mode, :initial_prompt, :max_turns, :status, 'cli-upload', false,
                :agentpipe_version, :os, :os_version, :go_version, :architecture, :started_at, :completed_at,
                :total_messages, :total_turns, :total_tokens, :total_cost, :duration_seconds, cast(:command as jsonb),
                :summary_short_text, :summary_text, :summary_agent_type, :summary_model, :summary_input_tokens,
                :summary_output_tokens, :summary_total_tokens, :summary_cost, :summary_duration_ms,
                :error_message, :error_type, :error_agent_type)
            on conflict (id) do nothing
            returning id
            """;

    /**
     * A conversation that so far only events referred to (a placeholder) takes the
     * upload's description. The row lock also serialises concurrent uploads of one session.
     */
    static final String LOCK_AND_DESCRIBE = """
            update conversations set
                name = case when is_placeholder then :name else name end,
                mode = case when is_placeholder then :mode else mode end,
                initial_prompt = case when is_placeholder then :initial_prompt else initial_prompt end,
                max_turns = case when is_placeholder then :max_turns else max_turns end,
                started_at = case when is_placeholder then :started_at else started_at end,
                is_placeholder = false
            where id = :id
            """;

    static final String COUNT_AGENTS = "select count(*) as agents from conversation_agents where conversation_id = :id";

    static final String INSERT_AGENTS = """
            insert into conversation_agents (conversation_id, position, agent_type, name, agent_id, model, cli_version,
                agent_version, prompt)
            select :id, a.position, a.agent_type, a.name, a.agent_id, a.model, a.cli_version, a.agent_version, a.prompt
            from unnest(cast(:positions as integer[]), cast(:agent_types as text[]), cast(:names as text[]),
                        cast(:agent_ids as text[]), cast(:models as text[]), cast(:cli_versions as text[]),
                        cast(:agent_versions as text[]), cast(:prompts as text[]))
                as a(position, agent_type, name, agent_id, model, cli_version, agent_version, prompt)
            """;

    /** The one event an upload adds to the log (not one per message). */
    static final String INSERT_UPLOADED_EVENT = """
            insert into events (type, conversation_id, occurred_at, dedup_key, source, payload, key_id)
            values ('%s', :id, :occurred_at, :dedup_key, 'cli-upload', cast(:payload as jsonb), :key_id)
            returning id
            """.formatted(EventType.SESSION_UPLOADED.wireName());

    /** The CLI's totals where it gave them, else those computed from the stored messages. */
    static final String TOTALS = """
            select coalesce(total_tokens, tokens_used) as total_tokens, coalesce(total_cost, cost) as total_cost
            from conversations where id = :id
            """;
}
