#!/usr/bin/env bash
# Stops the throwaway PostgreSQL started by .ci/postgres.sh.
set -u
dir=${1:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1
else
  "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1
fi
rm -rf "$dir"
