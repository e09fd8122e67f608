-- What the task lists need: a tenant's tasks by due time (tasks without one
-- last, as the keyset orders them), a member's tasks by status.
CREATE INDEX idx_tasks_tenant_due ON tasks (tenant_id, COALESCE(due_date, 'infinity'::timestamptz), id)
  WHERE deleted_at IS NULL;
CREATE INDEX idx_tasks_tenant_assignee_status ON tasks (tenant_id, assigned_to, status)
  WHERE deleted_at IS NULL;
