-- The stream may deliver offset N only once no lower offset can still commit. Its tailer
-- (io.agentstream.stream.EventTailer) decides that from transaction snapshots: an offset
-- read at snapshot S is final once every transaction in progress at S has ended. That
-- holds only if a transaction owns its transaction id *before* it draws an offset; with an
-- identity column, PostgreSQL draws the id while forming the row and assigns the
-- transaction id later, when the row is stored. This default draws the transaction id
-- first, for every writer, so no writer has to remember to.

create sequence event_offsets as bigint;
select setval('event_offsets', coalesce((select max(id) from events), 0) + 1, false);

create function next_event_offset() returns bigint
    language plpgsql volatile
as $$
begin
    perform pg_current_xact_id();
    return nextval('event_offsets');
end
$$;

alter table events alter column id drop identity;
alter table events alter column id set default next_event_offset();
alter sequence event_offsets owned by events.id;
