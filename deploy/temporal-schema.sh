#!/bin/sh
# One-shot (docker compose service temporal-schema, image temporalio/admin-tools): creates the
# databases temporal and temporal_visibility on the compose Postgres and brings their schemas to
# the version the server image expects, with the same temporal-sql-tool steps as
# scripts/temporal-cluster.sh. Safe to run again: what exists is left alone, newer versions are
# applied (the way to upgrade the server: new image tags, then this again before the services).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the Postgres host) is not set}"
: "${POSTGRES_USER:?POSTGRES_USER is not set}"
export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="${DB_PORT:-5432}" SQL_USER="$POSTGRES_USER" SQL_PASSWORD="${POSTGRES_PWD:-}"

for db in temporal temporal_visibility; do
  schema=postgresql/v12/temporal
  [ "$db" = temporal_visibility ] && schema=postgresql/v12/visibility
  # create-database and setup-schema fail when already done: that is fine, update-schema decides.
  temporal-sql-tool --db "$db" create-database 2>/dev/null || echo "database $db exists"
  temporal-sql-tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already set up"
  temporal-sql-tool --db "$db" update-schema --schema-name "$schema"
  echo "schema of $db is up to date ($schema)"
done
