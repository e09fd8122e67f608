-- Bookkeeping the event pipeline needs beside the documented tables.

-- The reserved platform tenant: events outside any customer tenant (users,
-- tenant lifecycle) are filed under it, so audit_logs.tenant_id stays NOT NULL
-- as documented. Query endpoints never list it.
INSERT INTO tenants (id, name, slug, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'ComplexCare platform', 'complexcare-platform',
        now(), now());

-- The PostgreSQL event log (single-machine default). Offsets are gapless per
-- partition: an append locks its partition's row, so appends to one partition
-- commit in offset order and a tailing reader never skips an uncommitted gap.
CREATE TABLE event_log_partitions (
  partition INTEGER PRIMARY KEY CHECK (partition >= 0),
  next_offset BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE event_log (
  partition INTEGER NOT NULL REFERENCES event_log_partitions(partition),
  "offset" BIGINT NOT NULL,
  key TEXT NOT NULL,
  headers JSONB NOT NULL DEFAULT '[]',
  value TEXT NOT NULL,
  appended_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (partition, "offset")
);

-- Writer fencing: opening a writer increments the epoch; an append checks it
-- inside its transaction, so a stale writer can never append after a newer one
-- has opened.
CREATE TABLE event_log_writer (
  singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  epoch BIGINT NOT NULL
);

-- The log is the source of truth: no service role may rewrite it.
CREATE FUNCTION event_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'event_log is append-only';
END $$;
CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
  FOR EACH ROW EXECUTE FUNCTION event_log_is_append_only();

-- Where each projection has got to, per log partition; written in the same
-- transaction as the rows it covers (exactly-once effect).
CREATE TABLE projection_checkpoints (
  projection VARCHAR(100) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  partition INTEGER NOT NULL,
  next_offset BIGINT NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (projection, topic, partition)
);

-- Events a projection could not apply, parked with the reason instead of
-- being skipped silently.
CREATE TABLE dead_letters (
  id BIGSERIAL PRIMARY KEY,
  projection VARCHAR(100) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  partition INTEGER NOT NULL,
  "offset" BIGINT NOT NULL,
  event_id UUID,
  event_type VARCHAR(255),
  reason TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  UNIQUE (projection, topic, partition, "offset")
);

-- Aggregate versions and log positions of projected rows: the documented
-- tables have no version column, and the read side needs one for ETag and for
-- the "version" of every item.
CREATE TABLE entity_versions (
  entity_type VARCHAR(100) NOT NULL,
  entity_id UUID NOT NULL,
  tenant_id UUID NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
);

-- Keyset pagination of a tenant's audit trail, newest first.
CREATE INDEX idx_audit_logs_tenant_created ON audit_logs (tenant_id, created_at DESC, id DESC);
-- A tenant's memberships in user order (keyset pagination).
CREATE INDEX idx_user_tenants_tenant_user ON user_tenants (tenant_id, user_id);

-- RFC 3339 UTC with microseconds, the API's one timestamp format.
CREATE FUNCTION cc_rfc3339(ts TIMESTAMP WITH TIME ZONE) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
