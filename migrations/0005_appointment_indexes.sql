-- What the rota queries need: a tenant's visits in time order (keyset on
-- start_time, id), a carer's schedule and a patient's visits by time, and
-- status filters over a time range.
CREATE INDEX idx_appointments_tenant_start ON appointments (tenant_id, start_time, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_appointments_tenant_carer_start
  ON appointments (tenant_id, care_professional_id, start_time, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_appointments_tenant_patient_start
  ON appointments (tenant_id, patient_id, start_time, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_appointments_tenant_status_start
  ON appointments (tenant_id, status, start_time, id) WHERE deleted_at IS NULL;
