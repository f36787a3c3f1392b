#!/usr/bin/env bash
# Runs the whole test suite: unit, integration, end-to-end (the real
# binary) and browser tests. Storage tests run on SQLite always and on
# PostgreSQL when EGRET_TEST_PG_URL is set; if it is not set and a local
# PostgreSQL server is installed, one is started for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${EGRET_TEST_PG_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pgdir=$(mktemp -d /tmp/egret-test-pg.XXXXXX)
  EGRET_TEST_PG_URL=$(.ci/postgres.sh "$pgdir" 54331)
  export EGRET_TEST_PG_URL
  trap '.ci/postgres-stop.sh "$pgdir" || true' EXIT
fi
cargo nextest run --workspace --no-fail-fast "$@"
cargo test --workspace --doc
