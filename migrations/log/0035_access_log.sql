-- The access stream on the PostgreSQL log (DESIGN.md "Security"): who read
-- or was refused which record travels as events of its own, beside the
-- domain log rather than in it. Access facts have no invariants, so the
-- stream has no writer epoch: every query-service instance appends to it
-- at once. Same shape, order and gapless offsets as event_log.
CREATE TABLE access_log_partitions (
  partition INTEGER PRIMARY KEY CHECK (partition >= 0),
  next_offset BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE access_log (
  partition INTEGER NOT NULL REFERENCES access_log_partitions(partition),
  "offset" BIGINT NOT NULL,
  key TEXT NOT NULL,
  headers JSONB NOT NULL DEFAULT '[]',
  value TEXT NOT NULL,
  appended_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (partition, "offset")
);

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION event_log_is_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION event_log_is_append_only();

-- query-service: appends the access facts of the reads it answers (and
-- reads nothing back but the partition counters it advances).
GRANT INSERT ON access_log TO complexcare_query;
GRANT SELECT, INSERT, UPDATE ON access_log_partitions TO complexcare_query;
-- projector: reads the stream into audit_logs.
GRANT SELECT ON access_log, access_log_partitions TO complexcare_projector;
