#!/usr/bin/env bash
# Load test of the app on its own site of the development bench, served by gunicorn on 127.0.0.1:
# concurrent sales users over the REST API, the follow-up job and the known races, then the data
# invariants (see scripts/load_test.py). The site is created if missing and emptied on every run.
#
#   scripts/load-test.sh [--users 10] [--seconds 90] [--workers 4] [--threads 2] [--race-rounds 5]
#                        [--site load-test.sales-pipeline.localhost] [--no-kill] [--seed N]
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_LOAD_TEST_SITE:-load-test.sales-pipeline.localhost}
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--site)
		SITE=${2:?--site needs a name}
		shift 2
		;;
	--site=*)
		SITE=${1#--site=}
		shift
		;;
	*)
		args+=("$1")
		shift
		;;
	esac
done
case "$SITE" in
*load-test*) ;;
*) die "$SITE: the load test empties its site; give one whose name contains 'load-test'" ;;
esac

check_services
ensure_bench
link_app
ensure_site "$SITE"
cd "$BENCH_DIR/sites"
exec "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/load_test.py" --site "$SITE" "${args[@]}"
