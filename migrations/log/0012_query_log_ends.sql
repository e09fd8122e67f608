-- The query service tells a read-your-writes position the log has not
-- reached (400 at once) from one the projector has not applied yet (a
-- wait). It reads how far each partition goes, never the events.
GRANT SELECT ON event_log_partitions TO complexcare_query;
