#!/usr/bin/env bash
# Benchmark the day's follow-up job against the floor (see scripts/benchmark_follow_ups.py).
# Uses its own site of the development bench, which it empties on every run.
#
#   scripts/benchmark-follow-ups.sh [--opportunities N] [--due-share 0.01] [--rounds 5]
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_BENCHMARK_SITE:-benchmark.sales-pipeline.localhost}
check_services
ensure_bench
link_app
ensure_site "$SITE"
cd "$BENCH_DIR/sites"
exec "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/benchmark_follow_ups.py" --site "$SITE" "$@"
