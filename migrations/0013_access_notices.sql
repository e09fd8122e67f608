-- The query service keeps what its access checks read (is a user live,
-- their role in a tenant, a tenant's modules) until one of these tables
-- changes: each statement that changes one tells it, through NOTIFY, which
-- PostgreSQL delivers once the transaction commits (and never if it rolls back).
CREATE FUNCTION cc_notify_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cc_access', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER users_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_access_changed();
CREATE TRIGGER user_tenants_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_tenants
  FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_access_changed();
CREATE TRIGGER tenants_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenants
  FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_access_changed();
CREATE TRIGGER features_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON features
  FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_access_changed();
CREATE TRIGGER tenant_features_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_features
  FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_access_changed();
