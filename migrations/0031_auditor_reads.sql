-- What auditors read (issue 11): the audit trail filtered by who acted, by
-- action and by record, newest first within the tenant (time ranges use
-- idx_audit_logs_tenant_created), a member's account rows newest first
-- within a membership's window, and the chain columns the export joins.
CREATE INDEX idx_audit_logs_tenant_user_created
  ON audit_logs (tenant_id, user_id, created_at DESC, id DESC);
CREATE INDEX idx_audit_logs_tenant_action_created
  ON audit_logs (tenant_id, action, created_at DESC, id DESC);
CREATE INDEX idx_audit_logs_tenant_entity_created
  ON audit_logs (tenant_id, entity_id, created_at DESC, id DESC);
GRANT SELECT ON audit_chain TO complexcare_query;

-- A dead letter is resolved once `complexcare dead-letters retry` has
-- applied it, in the same transaction; an unresolved one keeps a strict
-- projector (CC_PROJECTOR_STRICT=1) not ready.
ALTER TABLE dead_letters ADD COLUMN resolved_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX idx_dead_letters_unresolved ON dead_letters (projection, partition, "offset")
  WHERE resolved_at IS NULL;
