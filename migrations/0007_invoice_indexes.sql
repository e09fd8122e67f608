-- What the invoice reads need: a tenant's invoices by issue date (the
-- keyset order) and due date, by status (and the summary's GROUP BY), and a
-- patient's. Invoice numbers are unique within a tenant, deleted drafts
-- included: the command service decides that, and the index holds the
-- projection to it and serves ?invoice_number=.
CREATE INDEX idx_invoices_tenant_issue ON invoices (tenant_id, issue_date, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_invoices_tenant_due ON invoices (tenant_id, due_date)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_invoices_tenant_status ON invoices (tenant_id, status)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_invoices_tenant_patient ON invoices (tenant_id, patient_id)
  WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX uq_invoices_tenant_number ON invoices (tenant_id, invoice_number);
