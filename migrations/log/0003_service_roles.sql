-- Defence in depth: each service connects with a role that can do what that
-- service does and nothing more. Roles are cluster-wide, so they are created
-- only where missing; the grants are per database.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'complexcare_command') THEN
    CREATE ROLE complexcare_command LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'complexcare_projector') THEN
    CREATE ROLE complexcare_projector LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'complexcare_query') THEN
    CREATE ROLE complexcare_query LOGIN;
  END IF;
END $$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO complexcare_command, complexcare_projector, complexcare_query',
                 current_database());
END $$;
GRANT USAGE ON SCHEMA public TO complexcare_command, complexcare_projector, complexcare_query;

-- command-service: appends to the PostgreSQL log and reads it back; no projection.
GRANT SELECT, INSERT ON event_log TO complexcare_command;
GRANT SELECT, INSERT, UPDATE ON event_log_partitions, event_log_writer TO complexcare_command;

-- projector: reads the log, writes the projections and its bookkeeping.
GRANT SELECT ON event_log, event_log_partitions TO complexcare_projector;
GRANT SELECT, INSERT, UPDATE ON
  tenants, users, user_tenants, patients, care_professionals, appointments, tasks, care_plans,
  medications, documents, invoices, clinical_notes, clinical_note_categories, policies,
  risk_assessments, features, tenant_features,
  entity_versions, projection_checkpoints, dead_letters
TO complexcare_projector;
GRANT USAGE ON SEQUENCE dead_letters_id_seq TO complexcare_projector;
-- audit_logs takes INSERT and nothing else from any service role.
GRANT SELECT, INSERT ON audit_logs TO complexcare_projector;

-- query-service: reads projections only.
GRANT SELECT ON
  tenants, users, user_tenants, patients, care_professionals, appointments, tasks, care_plans,
  medications, documents, invoices, clinical_notes, clinical_note_categories, policies,
  risk_assessments, features, tenant_features,
  entity_versions, projection_checkpoints, audit_logs
TO complexcare_query;

-- And beyond grants: the audit trail is append-only for every role,
-- the owner included (a trigger, not a permission, so a mistaken GRANT
-- cannot undo it).
CREATE FUNCTION audit_logs_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only';
END $$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_are_append_only();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_are_append_only();
CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
  FOR EACH STATEMENT EXECUTE FUNCTION event_log_is_append_only();
