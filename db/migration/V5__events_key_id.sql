-- Audit: which API key sent each event, message and upload. The key's id is not secret: a
-- stored key's row id (api_keys.id, as text), or for a key from the environment
-- (AGENTPIPE_BRIDGE_API_KEY, ADMIN_API_KEY) "env-" and the first 12 hex digits of its
-- SHA-256. Rows written before this migration, and events replayed by the service itself,
-- have none (null).
--
-- Adding a nullable column without a default rewrites nothing, so this is quick on a large
-- store; the partial index holds only rows that have a key id.
alter table events add column key_id text;
alter table messages add column key_id text;

-- A key's events, in offset order (GET /api/events?key_id=...).
create index events_key_id_idx on events (key_id, id) where key_id is not null;
