-- What every projection generation needs beyond the documented tables:
-- the pipeline's bookkeeping (log/0002), the service roles' grants and the
-- append-only audit trail (log/0003), here for any schema. Those files put
-- them in `public`, the first generation, before generations existed; this
-- one is written to find them in place there (IF NOT EXISTS, ON CONFLICT,
-- OR REPLACE), so it changes nothing in `public` and builds them in a new
-- generation's schema. Projection migrations run with search_path set to
-- the generation's schema alone: unqualified names create and find the
-- generation's tables; the shared trigger functions are named in public.

INSERT INTO tenants (id, name, slug, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'ComplexCare platform', 'complexcare-platform',
        now(), now())
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS projection_checkpoints (
  projection VARCHAR(100) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  partition INTEGER NOT NULL,
  next_offset BIGINT NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  PRIMARY KEY (projection, topic, partition)
);

CREATE TABLE IF NOT EXISTS dead_letters (
  id BIGSERIAL PRIMARY KEY,
  projection VARCHAR(100) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  partition INTEGER NOT NULL,
  "offset" BIGINT NOT NULL,
  event_id UUID,
  event_type VARCHAR(255),
  reason TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
  UNIQUE (projection, topic, partition, "offset")
);

CREATE TABLE IF NOT EXISTS entity_versions (
  entity_type VARCHAR(100) NOT NULL,
  entity_id UUID NOT NULL,
  tenant_id UUID NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
);

CREATE INDEX IF NOT EXISTS idx_audit_logs_tenant_created
  ON audit_logs (tenant_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_user_tenants_tenant_user ON user_tenants (tenant_id, user_id);

DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO complexcare_projector, complexcare_query',
                 current_schema());
END $$;
GRANT SELECT, INSERT, UPDATE ON
  tenants, users, user_tenants, patients, care_professionals, appointments, tasks, care_plans,
  medications, documents, invoices, clinical_notes, clinical_note_categories, policies,
  risk_assessments, features, tenant_features,
  entity_versions, projection_checkpoints, dead_letters
TO complexcare_projector;
GRANT USAGE ON SEQUENCE dead_letters_id_seq TO complexcare_projector;
GRANT SELECT, INSERT ON audit_logs TO complexcare_projector;
GRANT SELECT ON
  tenants, users, user_tenants, patients, care_professionals, appointments, tasks, care_plans,
  medications, documents, invoices, clinical_notes, clinical_note_categories, policies,
  risk_assessments, features, tenant_features,
  entity_versions, projection_checkpoints, audit_logs
TO complexcare_query;

-- The audit trail is append-only in every generation, for every role.
CREATE OR REPLACE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION public.audit_logs_are_append_only();
CREATE OR REPLACE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_logs_are_append_only();
