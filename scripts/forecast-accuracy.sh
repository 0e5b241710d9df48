#!/usr/bin/env bash
# Two years of generated pipeline history whose true win rates differ from the stages' default
# probabilities; prints each basis's forecast error over the last six months and the time of
# learning the win rates and of the forecast against their raw-SQL floors (see
# scripts/forecast_accuracy.py). Uses its own site of the development bench, emptied and filled
# on every run.
#
#   scripts/forecast-accuracy.sh [--opportunities 100000] [--rounds 7] [--seed 2026] [--keep]
source "$(dirname "$0")/lib.sh"

SITE=${SALES_PIPELINE_FORECAST_ACCURACY_SITE:-forecast-accuracy.sales-pipeline.localhost}
check_services
ensure_bench
link_app
ensure_site "$SITE"
cd "$BENCH_DIR/sites"
exec "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/forecast_accuracy.py" --site "$SITE" "$@"
