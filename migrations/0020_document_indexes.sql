-- What the document reads need: a tenant's live documents in keyset (id)
-- order, by patient and by category, and by tag. A tag filter is
-- `tags @> ARRAY[$1]`, which only a GIN index answers; the planner ANDs its
-- bitmap with the tenant's (the table has no btree_gin to put both in one).
CREATE INDEX idx_documents_tenant_live ON documents (tenant_id, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_documents_tenant_patient ON documents (tenant_id, patient_id, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_documents_tenant_category ON documents (tenant_id, category, id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_documents_tags ON documents USING gin (tags)
  WHERE deleted_at IS NULL;
-- `complexcare blobs gc` reads the log, not this table; an operator asking
-- which rows name a blob (deleted ones included) finds them by key.
CREATE INDEX idx_documents_file_path ON documents (file_path);
