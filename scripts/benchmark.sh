#!/usr/bin/env bash
# Benchmark what users and the scheduler wait for, each against its floor, on data this script
# writes (see scripts/benchmark.py): the forecast and the other reports, win rates, the
# opportunity list, the workspace's number cards, the mappers, an opportunity's insert and save,
# the pipeline board and the day's follow-up job. Prints a Markdown table.
# Uses its own site of the development bench, which it empties and fills on every run.
#
#   scripts/benchmark.sh [--opportunities 100000] [--rounds 10] [--job-rounds 3] [--keep] [--only SECTION]
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_PERFORMANCE_SITE:-pipeline-benchmark.sales-pipeline.localhost}
check_services
ensure_bench
link_app
ensure_site "$SITE"
cd "$BENCH_DIR/sites"
exec "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/benchmark.py" --site "$SITE" "$@"
