#!/bin/sh
# Creates the two database roles agent-ledger runs with, in the database $POSTGRES_DB:
#   ledger_owner    owns the schema and the tables; runs the migrations (and copy-data / import-legacy)
#   ledger_service  what the API and the workers connect as: reads and writes rows, owns nothing,
#                   and does not bypass row-level security, so the tenant policies apply to it
# The postgres image runs it once, on an empty data directory (/docker-entrypoint-initdb.d);
# elsewhere run it by hand as a superuser: POSTGRES_USER=postgres POSTGRES_DB=agent_ledger sh init-roles.sh
# Safe to run again: existing roles are kept (their passwords are reset to the given ones).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v owner_password="${LEDGER_OWNER_PASSWORD:-ledger_owner}" \
  -v service_password="${LEDGER_SERVICE_PASSWORD:-ledger_service}" <<'SQL'
SELECT 'CREATE ROLE ledger_owner LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_owner') \gexec
SELECT 'CREATE ROLE ledger_service LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_service') \gexec
ALTER ROLE ledger_owner NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE ledger_service NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
ALTER DATABASE :"db" OWNER TO ledger_owner;
ALTER SCHEMA public OWNER TO ledger_owner;
GRANT CONNECT ON DATABASE :"db" TO ledger_service;
GRANT USAGE ON SCHEMA public TO ledger_service;
ALTER DEFAULT PRIVILEGES FOR ROLE ledger_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ledger_service;
ALTER DEFAULT PRIVILEGES FOR ROLE ledger_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ledger_service;
-- The functions that do the service's work across tenants (API key lookup, sweeper, gauges, admin
-- routes): the migrations revoke them from PUBLIC; the service role may call them.
ALTER DEFAULT PRIVILEGES FOR ROLE ledger_owner IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ledger_service;
-- Tables and functions that already exist (the script run after the migrations):
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ledger_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ledger_service;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ledger_service;
SQL
