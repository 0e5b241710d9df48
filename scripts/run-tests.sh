#!/usr/bin/env bash
# Run the test suite against a real Frappe v15 site of the development bench.
#
#   scripts/run-tests.sh [--frappe-path DIR_OR_URL] [pytest arguments...]
#
# Brings up what the machine lacks, as dev-bench.sh does, and Debian's Chromium for the
# browser tests (CHROMIUM=/usr/bin/chromium by default); creates the bench when there is
# none, installs this checkout into it, creates or migrates the test site, installs the
# test-only packages (dev-requirements.txt) into the bench's Python, lints and runs pytest
# on tests/. The browser tests serve the test site on 127.0.0.1.
source "$(dirname "$0")/lib.sh"

TEST_SITE=${SALES_PIPELINE_TEST_SITE:-test.sales-pipeline.localhost}
pytest_args=()
test_paths=()
while [ $# -gt 0 ]; do
	case "$1" in
	--frappe-path) FRAPPE_PATH=$2; shift 2 ;;
	-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
	-k | -m | -p | -o | -W | --maxfail | --deselect | --ignore) pytest_args+=("$1" "$2"); shift 2 ;;
	-*) pytest_args+=("$1"); shift ;;
	*)
		# pytest runs from the bench's sites directory: make test paths absolute, relative to
		# where the command was given or, failing that, to the checkout (tests/x.py::test_y).
		if [ -e "${1%%::*}" ]; then
			test_paths+=("$(cd "$(dirname "${1%%::*}")" && pwd)/$(basename "$1")")
		elif [ -e "$APP_DIR/${1%%::*}" ]; then
			test_paths+=("$APP_DIR/$1")
		else
			pytest_args+=("$1")
		fi
		shift
		;;
	esac
done
[ ${#test_paths[@]} -gt 0 ] || test_paths=("$APP_DIR/tests")

check_services --browser
ensure_bench
link_app
ensure_assets
if ! dev_requirements_met; then
	say "Installing the test-only packages"
	bench_cmd setup requirements --dev sales_pipeline
fi
# A time zone far from the database server's UTC, so that "today" computed the wrong way shows.
ensure_site "$TEST_SITE" "America/New_York"

say "Linting (ruff, as configured in pyproject.toml)"
(cd "$APP_DIR" && "$BENCH_DIR/env/bin/ruff" check . && "$BENCH_DIR/env/bin/ruff" format --check .)

say "Running the tests on $TEST_SITE"
cd "$BENCH_DIR/sites"
export SALES_PIPELINE_TEST_SITE="$TEST_SITE"
exec "$BENCH_DIR/env/bin/python" -m pytest -c "$APP_DIR/pyproject.toml" --rootdir "$APP_DIR" \
	"${test_paths[@]}" "${pytest_args[@]}"
