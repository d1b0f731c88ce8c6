-- Retention (RETENTION_DAYS) deletes conversations that have not changed for a while, in
-- small batches; this index finds them without scanning the table.
create index conversations_updated_at_idx on conversations (updated_at);
