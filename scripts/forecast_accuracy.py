"""Does the learned forecast beat the opportunities' own probabilities? History that says so, and
what learning costs.

Fills its site with two years of pipeline history (scripts/pipeline_data.py: OPPORTUNITIES
opportunities created over 24 months, moving up the stages over weeks, closing Converted, Lost or
Closed, expected closings that slip; all in the default currency), whose TRUE win rate of each
stage is far below the stage's default probability, which the reps keep on their deals. Then:

1. The true, default and learned (`get_win_rates()`) probability of each stage.
2. For each of the last six complete months: what was forecast for it at its start on each basis
   against what of it was won, from the `Pipeline Forecast Accuracy` report when the app has it,
   cross-checked with the same computed here from `get_win_rates(as_of=start of month)` and the
   history (scripts/floors.py `forecast_accuracy`); from that alone when the report is missing.
3. The time of `get_win_rates()`, of the Sales Pipeline Forecast (and of the accuracy report) on
   this data, against their raw-SQL floors in the same run: interleaved rounds, median and min.

Run through scripts/forecast-accuracy.sh."""

import argparse
import sys
import time

import benchmark
import floors
import frappe
import measuring
import pipeline_data
from frappe.utils import add_months, flt, get_datetime, get_first_day, get_last_day, getdate

USER = f"rep00@{pipeline_data.BENCH_USER_DOMAIN}"
TABLE = measuring.Table({"Sales User": USER})


def prepare(args) -> dict:
	users = pipeline_data.ensure_users()
	stages = pipeline_data.get_stages()
	filled = pipeline_data.generated_opportunities()
	if not args.keep or filled != args.opportunities:
		pipeline_data.wipe()
		started = time.perf_counter()
		plan = pipeline_data.Plan(
			opportunities=args.opportunities, months=24, seed=args.seed, default_currency_share=1.0
		)
		filled = pipeline_data.fill(plan, users, stages)
		print(
			f"filled {filled['opportunities']:,} opportunities and {filled['history_rows']:,} history rows "
			f"in {time.perf_counter() - started:.0f} s",
			flush=True,
		)
	return {
		"opportunities": frappe.db.count(floors.OPPORTUNITY),
		"history": frappe.db.count("Pipeline Opportunity History"),
		"open": frappe.db.count(floors.OPPORTUNITY, {"status": ("in", floors.OPEN_STATUSES)}),
	}


def print_stage_rates() -> None:
	from sales_pipeline.sales_pipeline.forecast import get_win_rates

	rates = get_win_rates()
	print("| stage | default probability | true win rate | won / lost (last 12 months) | learned |")
	print("| --- | ---: | ---: | ---: | ---: |")
	for index, stage in enumerate(pipeline_data.get_stages()):
		rate = rates[stage.name]
		true_rate = pipeline_data.TRUE_WIN_RATES[min(index, len(pipeline_data.TRUE_WIN_RATES) - 1)]
		print(
			f"| {stage.name} | {flt(stage.probability):g} % | {true_rate:g} % | "
			f"{rate['won']:,} / {rate['lost']:,} | {rate['probability']:.1f} % |"
		)


def percentage_error(forecast: float, actual: float) -> float | None:
	return 100 * abs(forecast - actual) / actual if actual else None


def print_accuracy(months: list[dict], source: str) -> None:
	print(f"Source: {source}.\n")
	print(
		"| month | forecast opportunities | won of them | actual (won) | Opportunity basis | error "
		"| Learned basis | error |"
	)
	print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	errors = {"opportunity": [], "learned": []}
	for month in months:
		cells = [
			month["month"],
			f"{month['opportunities']:,}",
			f"{month['won']:,}",
			f"{month['actual']:,.0f}",
		]
		for basis in ("opportunity", "learned"):
			forecast = month[f"{basis}_forecast"]
			error = percentage_error(forecast, month["actual"])
			errors[basis].append((abs(forecast - month["actual"]), error))
			cells += [
				f"{forecast:,.0f}",
				f"{forecast - month['actual']:+,.0f} ({error:.0f} %)" if error else "-",
			]
		print("| " + " | ".join(cells) + " |")
	print()
	for basis, label in (("opportunity", "Opportunity"), ("learned", "Learned")):
		absolute = [value for value, _ in errors[basis]]
		relative = [value for _, value in errors[basis] if value is not None]
		print(
			f"- {label} basis: mean absolute error {sum(absolute) / len(absolute):,.0f}, "
			f"mean absolute percentage error {sum(relative) / max(len(relative), 1):.1f} %"
		)
	print()


def print_stage_outcomes(filters: dict) -> None:
	"""Of the deals forecast for each month, by their stage at its start: how many were won in the
	month against the probability learned for the stage then."""
	starts = floors.months_between(filters["from_date"], filters["to_date"])
	currency = frappe.db.get_default("currency")
	conversions = floors.conversions_between(
		get_datetime(starts[0]), get_datetime(add_months(starts[-1], 1)), currency
	)
	learned = floors.app_win_rates_at_month_starts(starts)
	stages: dict[str, list] = {}
	for row in floors.open_at_month_starts(starts, currency):
		start = getdate(row.starts_on)
		totals = stages.setdefault(row.sales_stage, [0, 0, 0.0])
		totals[0] += 1
		totals[1] += (floors.month_index(start), row.opportunity) in conversions
		totals[2] += learned[start].get(row.sales_stage, 0)
	print("| stage at the start of the month | forecast opportunities | won in the month | learned (mean) |")
	print("| --- | ---: | ---: | ---: |")
	for stage in pipeline_data.get_stages():
		count, won, learned_sum = stages.get(stage.name, (0, 0, 0.0))
		if count:
			print(f"| {stage.name} | {count:,} | {100 * won / count:.1f} % | {learned_sum / count:.1f} % |")
	print()


def accuracy_from_report(filters: dict) -> list[dict]:
	result = benchmark.run_report(benchmark.ACCURACY, filters)
	return [
		{key: row.get(key) or 0 for key in ("month", "opportunities", "won", "actual")}
		| {
			"opportunity_forecast": flt(row.get("opportunity_forecast")),
			"learned_forecast": flt(row.get("learned_forecast")),
		}
		for row in benchmark.accuracy_by_month(result).values()
	]


def accuracy_from_history(filters: dict) -> list[dict]:
	"""The accuracy computed here from the app's `get_win_rates(as_of=start of month)` and the history."""
	return floors.forecast_accuracy(
		filters["from_date"], filters["to_date"], learned_rates=floors.app_win_rates_at_month_starts
	)


def measure(rounds: int, report_present: bool) -> None:
	from sales_pipeline.sales_pipeline.forecast import get_win_rates

	TABLE.compare(
		"`get_win_rates()`",
		"Sales User",
		get_win_rates,
		floors.win_rates,
		rounds,
		"one statement: the window's closings not reopened since, with their stages",
		check=lambda app, floor: floors.check_win_rates(app),
	)
	source = benchmark.report_module_source(benchmark.FORECAST) or ""
	variants = [(None, None)]
	if "probability_basis" in source:
		variants = [("Opportunity", None), ("Learned", "kept"), ("Learned", "anew")]
	for basis, learned in variants:
		filters = benchmark.forecast_filters(basis)
		rates = floors.win_rates() if learned == "kept" else None
		with_buckets, rows_check = benchmark.forecast_floor_shape(filters, USER)
		name = f"{benchmark.FORECAST}, 12 months" + (f", {basis} basis" if basis else "")
		if learned:
			name += {"kept": ", win rates as the app keeps them", "anew": ", win rates learned anew"}[learned]
		TABLE.compare(
			name,
			"Sales User",
			lambda filters=filters: benchmark.run_report(benchmark.FORECAST, filters),
			lambda filters=filters, learned=learned, with_buckets=with_buckets, rates=rates: floors.forecast(
				filters, USER, with_buckets, learned == "anew", rates
			),
			rounds,
			benchmark.forecast_floor_label(with_buckets, learned),
			check=lambda app, floor, rows_check=rows_check: rows_check,
			before_app=benchmark.forget_learned_rates if learned == "anew" else None,
		)
	if report_present:
		filters = benchmark.accuracy_filters()
		TABLE.compare(
			f"{benchmark.ACCURACY}, last 6 months",
			"Sales User",
			lambda: benchmark.run_report(benchmark.ACCURACY, filters),
			lambda: floors.forecast_accuracy(filters["from_date"], filters["to_date"]),
			rounds,
			"three statements: the win rates at every month start, the open states then, the conversions",
			check=benchmark.check_accuracy,
		)


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--opportunities", type=int, default=100_000)
	parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of each side (default 7)")
	parser.add_argument("--seed", type=int, default=2026)
	parser.add_argument("--keep", action="store_true", help="reuse the data of the previous run at this size")
	args = parser.parse_args()

	measuring.connect(args.site)
	size = prepare(args)
	frappe.set_user(USER)
	heading = (
		f"{size['opportunities']:,} opportunities ({size['open']:,} open) and {size['history']:,} history "
		f"rows over 24 months; app at {measuring.app_commit()}; {measuring.machine()}"
	)
	print(f"\n{heading}\n")
	print_stage_rates()

	today = getdate()
	filters = {
		"from_date": str(get_first_day(add_months(today, -6))),
		"to_date": str(get_last_day(add_months(today, -1))),
	}
	print(
		f"\nForecast for each month at its start against what of it was won ({filters['from_date']} to "
		f"{filters['to_date']}):\n"
	)
	computed = accuracy_from_history(filters)
	report_present = benchmark.report_module_source(benchmark.ACCURACY) is not None
	if report_present:
		measuring.start_request(USER)
		print_accuracy(accuracy_from_report(filters), f"the {benchmark.ACCURACY} report")
		frappe.db.rollback()
		measuring.start_request(USER)
		print(
			f"Cross-check against the same computed from `get_win_rates(as_of=...)` and the history: "
			f"{benchmark.check_accuracy(benchmark.run_report(benchmark.ACCURACY, filters), computed)}.\n"
		)
		frappe.db.rollback()
	else:
		print_accuracy(
			computed, "`get_win_rates(as_of=start of month)` and the history (no accuracy report yet)"
		)

	print_stage_outcomes(filters)
	load_before = measuring.load_average()
	print(measuring.Table.HEADER, flush=True)
	measure(args.rounds, report_present)
	print(f"\n{heading}.")
	print(
		f"Load average (1, 5, 15 min) {load_before} before, {measuring.load_average()} after; "
		f"{args.rounds} interleaved rounds of each side.\n"
	)
	TABLE.print()
	frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
