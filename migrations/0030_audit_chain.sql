-- The audit trail's hash chain, one link per audit_logs row, per tenant and
-- stream in log order (issue 11; the chain's writer and verifier own this
-- file's final form). The audit export LEFT JOINs it.
CREATE TABLE audit_chain (
  audit_log_id UUID PRIMARY KEY REFERENCES audit_logs(id),
  tenant_id UUID NOT NULL,
  stream VARCHAR(100) NOT NULL,  -- 'changes' (the domain log); 'access' (read-audit stream)
  seq BIGINT NOT NULL,           -- 1, 2, 3... per (tenant_id, stream), in log order
  prev_hash CHAR(64) NOT NULL,   -- lowercase hex SHA-256; 64 '0' for seq 1
  row_hash CHAR(64) NOT NULL,    -- SHA-256 over prev_hash and the row's canonical content
  UNIQUE (tenant_id, stream, seq)
);
