#!/bin/bash
# Runs once, when the Postgres volume is empty (docker-entrypoint-initdb.d): one role and one
# database per service, so neither service can read the other's data.
# Env: AUTH_DB_PASSWORD, VECTOR_DB_PASSWORD (the superuser is POSTGRES_USER / POSTGRES_PASSWORD).
set -euo pipefail
: "${AUTH_DB_PASSWORD:?AUTH_DB_PASSWORD is required}"
: "${VECTOR_DB_PASSWORD:?VECTOR_DB_PASSWORD is required}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v auth_password="$AUTH_DB_PASSWORD" -v vector_password="$VECTOR_DB_PASSWORD" <<'SQL'
CREATE ROLE auth LOGIN PASSWORD :'auth_password';
CREATE ROLE vector LOGIN PASSWORD :'vector_password';
CREATE DATABASE auth OWNER auth ENCODING 'UTF8';
CREATE DATABASE vector OWNER vector ENCODING 'UTF8';
REVOKE ALL ON DATABASE auth FROM PUBLIC;
REVOKE ALL ON DATABASE vector FROM PUBLIC;
SQL
