#!/usr/bin/env bash
# Install what is needed, build the synthetic demo LA if it is not there, open the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[1/3] Installing the Python packages into .venv (a few minutes the first time, seconds after)..."
bash scripts/setup.sh
DB=${ATTENDANCE_DB:-data/demo.duckdb}
# The demo's meetings, actions and users live in its own app store, never the real one.
export ATTENDANCE_APP_STORE=${ATTENDANCE_APP_STORE:-${DB%.duckdb}_app_store.sqlite}
if [ ! -f "$DB" ]; then
    echo "[2/3] Building the synthetic demo LA into $DB (about 40 seconds, once)..."
    .venv/bin/python -m data_pipeline demo --db "$DB" --quiet
else
    echo "[2/3] Using the demo LA already built in $DB."
    # after an update that changed how the marts are built, rebuild them (a minute at most)
    .venv/bin/python -m data_pipeline build --db "$DB" --if-stale
fi
export ATTENDANCE_DB="$DB"
# Demo mode: no sign-in, a role switcher to see each role's view (synthetic warehouses only).
export ATTENDANCE_DEMO_MODE=1
echo "[3/3] Starting the dashboard..."
# serve.py prints the address once the first page is ready (its last line)
exec .venv/bin/python scripts/serve.py --server.headless true "$@"
