-- What the patient and care-professional queries need beyond the seed's
-- indexes: keyset pages inside a tenant, case-insensitive name prefixes, NHS
-- number look-ups, role filters.
CREATE INDEX idx_patients_tenant_id_id ON patients (tenant_id, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_patients_tenant_last_name ON patients (tenant_id, lower(last_name) text_pattern_ops)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_patients_tenant_first_name ON patients (tenant_id, lower(first_name) text_pattern_ops)
  WHERE deleted_at IS NULL;
-- The write side keeps NHS numbers unique per tenant; this is the safety net
-- (a violation would park the event in dead_letters, loudly).
CREATE UNIQUE INDEX uq_patients_tenant_nhs_number ON patients (tenant_id, nhs_number)
  WHERE deleted_at IS NULL AND nhs_number IS NOT NULL;
CREATE INDEX idx_care_professionals_tenant_id_id ON care_professionals (tenant_id, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_care_professionals_tenant_role ON care_professionals (tenant_id, role)
  WHERE deleted_at IS NULL;
