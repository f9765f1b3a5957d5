#!/usr/bin/env bash
# Adds a migration with the same name to BOTH providers' migration sets (STYLE.md §5: every model change gets a
# migration for SQLite and for PostgreSQL). Usage: tools/new-migration.sh AddBudgets
set -euo pipefail
name=${1:?usage: tools/new-migration.sh <MigrationName>}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for ctx in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project src/Platform --startup-project src/Platform \
    --context "${ctx}PlatformDbContext" --output-dir "Storage/${ctx}/Migrations"
done
