#!/usr/bin/env bash
# Serve SITE of the development bench on 127.0.0.1:PORT, with a background worker and
# the scheduler beside it so follow-up reminders and notifications run as they would
# in production. `bench serve` would bind 0.0.0.0; this binds loopback only.
#
#   scripts/serve.sh SITE [PORT]     (stop it with Ctrl-C)
source "$(dirname "$0")/lib.sh"

SITE=${1:?usage: serve.sh SITE [PORT]}
PORT=${2:-8000}
ensure_bench_cli
pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ "${SERVE_WEB_ONLY:-0}" != 1 ]; then
	(cd "$BENCH_DIR" && exec bench worker --queue short,default,long) >"$BENCH_DIR/logs/sales-pipeline-worker.log" 2>&1 &
	pids+=($!)
	(cd "$BENCH_DIR" && exec bench schedule) >"$BENCH_DIR/logs/sales-pipeline-scheduler.log" 2>&1 &
	pids+=($!)
fi
cd "$BENCH_DIR/sites"
"$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/serve.py" --site "$SITE" --port "$PORT" &
pids+=($!)
wait "${pids[-1]}"
