-- features and tenant_features have no deleted_at: a deleted feature's row,
-- and the tenants' choices of it, are removed by the projector (the log
-- keeps the history, and audit_logs the FeatureDeleted row).
GRANT DELETE ON features, tenant_features TO complexcare_projector;
