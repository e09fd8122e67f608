-- The audit trail's hash chain (issue 11): one link per audit_logs row,
-- chained per (tenant, stream) in log order by the projector, in the same
-- transaction as the row. `row_hash` is the lowercase hex SHA-256 of
-- `prev_hash` followed by the row's canonical content
-- (platform/audit/chain.hpp says which bytes); `complexcare audit verify`
-- recomputes it. Unqualified names, so that it applies to any generation.
CREATE TABLE audit_chain (
  audit_log_id UUID PRIMARY KEY REFERENCES audit_logs(id),
  tenant_id UUID NOT NULL,
  stream VARCHAR(100) NOT NULL,  -- 'changes' (the domain log); 'access' (read-audit stream)
  seq BIGINT NOT NULL,           -- 1, 2, 3... per (tenant_id, stream), in log order
  prev_hash CHAR(64) NOT NULL,   -- lowercase hex SHA-256; 64 '0' for seq 1
  row_hash CHAR(64) NOT NULL,    -- SHA-256 over prev_hash and the row's canonical content
  UNIQUE (tenant_id, stream, seq)
);

-- Append-only like audit_logs: for every role, the owner included.
CREATE FUNCTION audit_chain_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain is append-only';
END $$;
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_is_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_is_append_only();

GRANT SELECT, INSERT ON audit_chain TO complexcare_projector;
GRANT SELECT ON audit_chain TO complexcare_query;
-- The command service publishes each chain's head to the log from time to
-- time (AuditChainHeadRecorded): it reads the heads, and of audit_logs only
-- which action a head row records (never the trail's contents).
-- In a generation's own schema too (the chain heads read the current one).
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO complexcare_command', current_schema());
END $$;
GRANT SELECT ON audit_chain TO complexcare_command;
GRANT SELECT (id, action) ON audit_logs TO complexcare_command;
