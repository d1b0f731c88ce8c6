-- Deleting events (retention, DELETE /api/conversations/{id}) sets messages.event_id to null
-- through its foreign key; without an index PostgreSQL scans the whole messages table once per
-- deleted event. Built concurrently (Flyway runs this statement outside a transaction), so
-- ingest keeps writing while a large table is indexed during a deploy.
create index concurrently if not exists messages_event_id_idx on messages (event_id);
