-- What the clinical record and compliance reads need: a tenant's notes
-- newest first, and by patient, author or category; risk assessments by
-- their next review (the list order, and review_overdue); and an item's
-- history from the audit trail.
CREATE INDEX idx_clinical_notes_tenant_date ON clinical_notes (tenant_id, note_date DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_clinical_notes_patient_date ON clinical_notes (tenant_id, patient_id, note_date DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_clinical_notes_author_date
  ON clinical_notes (tenant_id, care_professional_id, note_date DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_clinical_notes_category_date
  ON clinical_notes (tenant_id, category_id, note_date DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_risk_assessments_tenant_review
  ON risk_assessments (tenant_id, COALESCE(next_review_date, 'infinity'::date), id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_audit_logs_entity ON audit_logs (tenant_id, entity_id);
