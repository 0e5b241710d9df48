#!/usr/bin/env bash
# Set up a Frappe v15 development bench with this checkout installed on a site, then
# serve the desk on 127.0.0.1 only.
#
#   scripts/dev-bench.sh [--frappe-path DIR_OR_URL] [--site NAME] [--port N] [--no-serve]
#
# First brings up what the machine lacks (scripts/prerequisites.py): git, yarn, MariaDB and
# Redis, from Debian's packages when this user is root or may sudo, else one message with
# the commands. Frappe comes from https://github.com/frappe/frappe (branch version-15)
# unless --frappe-path names a local clone (what `bench init --frappe-path` takes).
# Run again, it reuses the bench and migrates the site only when the app changed.
# Environment: SALES_PIPELINE_BENCH (bench directory), DB_HOST, DB_PORT, DB_ROOT_USER,
# DB_ROOT_PASSWORD, REDIS_URL, ADMIN_PASSWORD, PYTHON.
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_SITE:-sales-pipeline.localhost}
PORT=${PORT:-8000}
SERVE=1
while [ $# -gt 0 ]; do
	case "$1" in
	--frappe-path) FRAPPE_PATH=$2; shift 2 ;;
	--site) SITE=$2; shift 2 ;;
	--port) PORT=$2; shift 2 ;;
	--no-serve) SERVE=0; shift ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

check_services
ensure_bench
link_app
ensure_assets
ensure_site "$SITE"
site_state_has developer_mode || bench_cmd --site "$SITE" set-config developer_mode 1 >/dev/null
site_state_has scheduler_enabled || bench_cmd --site "$SITE" enable-scheduler >/dev/null

if [ "$SERVE" = 1 ]; then
	say "Desk: http://127.0.0.1:$PORT/app  (Administrator / $ADMIN_PASSWORD)  Ctrl-C stops it"
	exec "$APP_DIR/scripts/serve.sh" "$SITE" "$PORT"
fi
