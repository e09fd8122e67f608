#!/bin/bash
# Runs once, when the postgres container initialises its data volume: creates
# the services' least-privilege login roles with the passwords from the
# environment. Migration 0003 finds them present and grants what each needs.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v command_password="$CC_COMMAND_DB_PASSWORD" \
  -v projector_password="$CC_PROJECTOR_DB_PASSWORD" \
  -v query_password="$CC_QUERY_DB_PASSWORD" <<'SQL'
CREATE ROLE complexcare_command LOGIN PASSWORD :'command_password';
CREATE ROLE complexcare_projector LOGIN PASSWORD :'projector_password';
CREATE ROLE complexcare_query LOGIN PASSWORD :'query_password';
SQL
