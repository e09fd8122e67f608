-- Patients and care professionals are listed by name: last name, first
-- name, then id (model/aggregates/care.cpp), in keyset pages inside a
-- tenant. These walk a tenant's live rows in that order, so a page reads 50
-- index entries, not the tenant's rows. They replace 0004's (tenant, id)
-- indexes, which only the lists by id used: no more indexes to update per
-- row than before. The patients' one has the name the peers' benchmark kit
-- gives the same index (bench-peers/extra-indexes.sql).
CREATE INDEX idx_patients_tenant_name_live ON patients (tenant_id, last_name, first_name, id)
  WHERE deleted_at IS NULL;
DROP INDEX IF EXISTS idx_patients_tenant_id_id;
CREATE INDEX idx_care_professionals_tenant_name_live
  ON care_professionals (tenant_id, last_name, first_name, id) WHERE deleted_at IS NULL;
DROP INDEX IF EXISTS idx_care_professionals_tenant_id_id;
