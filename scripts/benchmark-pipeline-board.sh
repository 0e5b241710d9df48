#!/usr/bin/env bash
# Benchmark the Pipeline Board's get_board against the floor (see scripts/benchmark_pipeline_board.py).
# Uses its own site of the development bench, which it empties on every run.
#
#   scripts/benchmark-pipeline-board.sh [--opportunities 100000] [--repeat 20] [--keep]
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_BOARD_BENCHMARK_SITE:-board-benchmark.sales-pipeline.localhost}
check_services
ensure_bench
link_app
ensure_site "$SITE"
cd "$BENCH_DIR/sites"
exec "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/benchmark_pipeline_board.py" --site "$SITE" "$@"
