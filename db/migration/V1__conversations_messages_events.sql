-- agentstream schema, version 1.
--
-- Money: cost columns are NUMERIC without a declared scale. The CLI reports costs as
-- decimal text (e.g. 0.00213); NUMERIC stores that text exactly and sums it exactly, where
-- a double precision sum of thousands of such values drifts in the last digits and the
-- dashboard's totals would disagree with the per-message figures.
--
-- Time: timestamptz everywhere. Counters and token figures: bigint (a long conversation's
-- token sum does not fit in an integer).

create table conversations (
    id                   text primary key,
    name                 text,
    mode                 text,
    initial_prompt       text,
    max_turns            integer,
    status               text not null default 'ACTIVE'
                         check (status in ('ACTIVE', 'COMPLETED', 'INTERRUPTED', 'ERROR')),
    source               text not null default 'cli-stream'
                         check (source in ('cli-stream', 'cli-upload')),
    -- true while only events that reference the conversation have arrived, before
    -- conversation.started (or an upload) has described it.
    is_placeholder       boolean not null default true,

    agentpipe_version    text,
    os                   text,
    os_version           text,
    go_version           text,
    architecture         text,
    command              jsonb,

    started_at           timestamptz,
    completed_at         timestamptz,

    -- Computed from the stored messages, maintained atomically by the ingest write path.
    message_count        bigint not null default 0,
    tokens_used          bigint not null default 0,
    input_tokens         bigint not null default 0,
    output_tokens        bigint not null default 0,
    cost                 numeric not null default 0,
    messages_duration_ms bigint not null default 0,
    max_turn_number      integer,

    -- Reported by the CLI in conversation.completed: its final word where present.
    total_messages       bigint,
    total_turns          integer,
    total_tokens         bigint,
    total_cost           numeric,
    duration_seconds     numeric,

    summary_short_text    text,
    summary_text          text,
    summary_agent_type    text,
    summary_model         text,
    summary_input_tokens  bigint,
    summary_output_tokens bigint,
    summary_total_tokens  bigint,
    summary_cost          numeric,
    summary_duration_ms   bigint,

    error_message        text,
    error_type           text,
    error_agent_type     text,

    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

create index conversations_started_at_idx on conversations (started_at desc, id desc);
create index conversations_created_at_idx on conversations (created_at desc, id desc);
create index conversations_status_idx on conversations (status, started_at desc, id desc);
create index conversations_mode_idx on conversations (mode);

create table conversation_agents (
    conversation_id text    not null references conversations (id) on delete cascade,
    position        integer not null,
    agent_type      text    not null,
    agent_id        text,
    name            text,
    agent_version   text,
    model           text,
    prompt          text,
    cli_version     text,
    primary key (conversation_id, position)
);

create index conversation_agents_agent_type_idx on conversation_agents (agent_type, conversation_id);
create index conversation_agents_model_idx on conversation_agents (model, conversation_id);

-- The event log. id is the stream offset: assigned by PostgreSQL, strictly increasing.
-- Identity values are taken before commit, so ids commit out of order; tx_id records the
-- writing transaction so that a reader can tell which lower ids may still commit.
create table events (
    id              bigint generated always as identity primary key,
    type            text        not null,
    conversation_id text        references conversations (id) on delete cascade,
    occurred_at     timestamptz not null,
    received_at     timestamptz not null default now(),
    dedup_key       text        not null unique,
    source          text        not null default 'cli-stream'
                    check (source in ('cli-stream', 'cli-upload')),
    payload         jsonb       not null,
    tx_id           xid8        not null default pg_current_xact_id()
);

create index events_conversation_idx on events (conversation_id, id);
create index events_type_idx on events (type, id);
create index events_received_at_idx on events (received_at);

create table messages (
    id              bigint generated always as identity primary key,
    conversation_id text        not null references conversations (id) on delete cascade,
    message_id      text        not null,
    event_id        bigint      references events (id) on delete set null,
    agent_id        text,
    agent_type      text        not null,
    agent_name      text,
    agent_version   text,
    role            text,
    content         text        not null,
    sequence_number integer,
    turn_number     integer,
    tokens_used     bigint,
    input_tokens    bigint,
    output_tokens   bigint,
    cost            numeric,
    model           text,
    duration_ms     bigint,
    created_at      timestamptz not null,
    received_at     timestamptz not null default now(),
    unique (conversation_id, message_id)
);

create index messages_conversation_order_idx on messages (conversation_id, sequence_number, created_at, id);
create index messages_agent_type_idx on messages (agent_type, created_at);
create index messages_model_idx on messages (model, created_at);
create index messages_created_at_idx on messages (created_at);

create table api_keys (
    id           bigint generated always as identity primary key,
    name         text        not null,
    prefix       text        not null,
    key_hash     bytea       not null unique,
    scopes       text[]      not null,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    check (scopes <@ array['ingest', 'read', 'admin']::text[])
);
