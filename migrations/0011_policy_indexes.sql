-- What policy reads need: effective_on looks, per title, for a later
-- effective_date on or before the day (NOT EXISTS on this index, in its
-- order), and lists are kept in (effective_date, id) order.
CREATE INDEX idx_policies_tenant_title_effective
  ON policies (tenant_id, title, effective_date, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_policies_tenant_effective ON policies (tenant_id, effective_date, id)
  WHERE deleted_at IS NULL;
