# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""How good was the forecast? For each calendar month M, what the pipeline forecast for M at the
start of M, on both probability bases, against what was won in M.

"The start of M" is midnight of the 1st in the site's time zone (history `changed_on` holds naive
site times); the state of an opportunity then is its last history row changed on or before it.

- The opportunities forecast for M: those open (Open, Replied, Quotation) at the start of M whose
  expected closing, as it stood then, falls in M, in the report's currency as it stood then.
- `opportunity_forecast`: the sum of their amount x probability / 100, both as they stood then.
- `learned_forecast`: the sum of their amount x the win probability learned for their stage as it
  stood then, as `get_win_rates(as_of=<start of M>)` learns it (from the history known at that
  moment only; computed for all the months in one query). An opportunity without a stage (or whose
  stage no longer exists) has no learned probability and counts with its own.
- `actual`: of those same opportunities, the ones that became Converted during M (after the start
  of M, up to and including the start of the next month), each with its amount AS IT STOOD AT THE
  CONVERSION (its last conversion in M, if it was converted twice): what was won, not what was
  forecast. A conversion recorded in another currency than the report's adds nothing.
  Deals won in M that were not forecast for M (expected another month, or made during M) are not
  part of this comparison.
- The error of each forecast: forecast - actual, and the absolute percentage error
  |forecast - actual| / actual (none when nothing was won).

Months that have not started yet are left out; the current month shows what was won so far. The
summary gives the mean absolute error of each basis over the months shown.

The opportunities are those the user may read (roles, User Permissions, sharing), as they are now.
The learned probabilities are a property of the whole pipeline, like a stage's default
probability, learned from every opportunity's history."""

import frappe
from dateutil.relativedelta import relativedelta
from frappe import _
from frappe.utils import flt, formatdate, getdate, now_datetime

from sales_pipeline.sales_pipeline.currency import get_default_currency
from sales_pipeline.sales_pipeline.history_reports import (
	HISTORY_TABLE,
	OPEN_STATUSES,
	currency_condition,
	get_win_rates_at_month_starts,
	midnight,
	month_starts,
	permitted_opportunities_sql,
)
from sales_pipeline.sales_pipeline.report_filters import (
	check_date_order,
	get_date_filter,
	get_filters,
	get_link_filter,
	keep_interactive_when_failing,
	refuse_filter,
)

REPORT_NAME = "Pipeline Forecast Accuracy"
MAX_MONTHS = 120


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	now = now_datetime()
	months = [month for month in month_starts(filters.from_date, filters.to_date) if midnight(month) <= now]
	data = get_data(months, filters.currency, now)
	return get_columns(), data, None, get_chart(data, filters.currency), get_summary(data, filters.currency)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use, or a ValidationError naming the bad one. Without
	dates: the last 12 full months; without From Date, the 12 months up to To Date."""
	filters = get_filters(filters)
	valid = frappe._dict(
		from_date=get_date_filter(filters, "from_date", "From Date"),
		to_date=get_date_filter(filters, "to_date", "To Date"),
		currency=get_link_filter(filters, "currency", "Currency", "Currency") or get_default_currency(),
	)
	this_month = getdate(now_datetime()).replace(day=1)
	if not valid.to_date:
		valid.to_date = this_month - relativedelta(days=1)
	if not valid.from_date:
		valid.from_date = valid.to_date.replace(day=1) - relativedelta(months=11)
	check_date_order(valid.from_date, valid.to_date)
	if len(month_starts(valid.from_date, valid.to_date)) > MAX_MONTHS:
		refuse_filter(
			"To Date", "to_date", _("at most {0} months can be compared at once").format(MAX_MONTHS)
		)
	return valid


def get_columns() -> list[dict]:
	def currency_column(fieldname, label, width=150):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "currency",
			"width": width,
		}

	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 90},
		{"fieldname": "opportunities", "label": _("Opportunities"), "fieldtype": "Int", "width": 120},
		currency_column("opportunity_forecast", _("Forecast (Opportunity)"), 180),
		currency_column("learned_forecast", _("Forecast (Learned)"), 160),
		currency_column("actual", _("Won Amount"), 150),
		{"fieldname": "won", "label": _("Won"), "fieldtype": "Int", "width": 70},
		currency_column("opportunity_error", _("Error (Opportunity)"), 160),
		currency_column("learned_error", _("Error (Learned)"), 150),
		{
			"fieldname": "opportunity_abs_pct_error",
			"label": _("Abs. % Error (Opportunity)"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 200,
			# The mean of the months' percentages would weigh a small month like a large one.
			"disable_total": 1,
		},
		{
			"fieldname": "learned_abs_pct_error",
			"label": _("Abs. % Error (Learned)"),
			"fieldtype": "Percent",
			"precision": 1,
			"width": 180,
			"disable_total": 1,
		},
		# What the Currency columns format their values in. Data, not a Link to Currency: Frappe
		# checks the user's permission on every DocType a report's Link columns name.
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1},
	]


def get_data(months, currency, now) -> list[dict]:
	totals = get_forecast_totals(months, currency, now)
	win_rates = get_win_rates_at_month_starts(months)
	rows = []
	for month in months:
		row = {
			"month": month.strftime("%Y-%m"),
			"opportunities": 0,
			"opportunity_forecast": 0.0,
			"learned_forecast": 0.0,
			"actual": 0.0,
			"won": 0,
			"currency": currency,
		}
		for total in totals.get(month, []):
			row["opportunities"] += total.opportunities
			row["opportunity_forecast"] += flt(total.weighted)
			learned = win_rates[month].get(total.sales_stage) if total.sales_stage else None
			row["learned_forecast"] += (
				flt(total.amount) * learned["probability"] / 100 if learned else flt(total.weighted)
			)
			row["actual"] += flt(total.actual)
			row["won"] += total.won
		for basis in ("opportunity", "learned"):
			error = row[f"{basis}_forecast"] - row["actual"]
			row[f"{basis}_error"] = error
			row[f"{basis}_abs_pct_error"] = 100 * abs(error) / row["actual"] if row["actual"] else None
		rows.append(row)
	return rows


# The first day of the month of the expected closing, at midnight: the start of the month whose
# forecast the opportunity is in.
CLOSING_MONTH_START = "cast(date_format(state.expected_closing, '%%Y-%%m-01') as datetime)"
# The start of the month a conversion falls in: a month runs from after its start up to and
# including the start of the next one, as the state at a month's start includes a change made at
# that very moment.
CONVERSION_MONTH_START = (
	"cast(date_format(converted.changed_on - interval 1 microsecond, '%%Y-%%m-01') as datetime)"
)


def get_forecast_totals(months, currency, now) -> dict:
	"""{first day of M: [per stage as it stood at the start of M: opportunities, amount, weighted
	amount, actual, won]}, in one query.

	An opportunity can only be in the forecast of the month of its expected closing, so each history
	row is looked at for one month only: the row is the opportunity's state at the start of that
	month when it was changed on or before it and no later row of the opportunity was (the index on
	opportunity and changed_on answers that). A conversion counts in the month it falls in, once
	(its last in the month), for the opportunity forecast that month."""
	if not months:
		return {}
	first, end = months[0], months[-1] + relativedelta(months=1)
	rows = frappe.db.sql(
		f"""
		with forecast as (
			select {CLOSING_MONTH_START} as month_start, state.opportunity, state.sales_stage,
				state.opportunity_amount, state.probability
			from {HISTORY_TABLE} state
			where state.status in %(open_statuses)s
				and {currency_condition("state", currency)}
				and state.expected_closing >= %(first_day)s and state.expected_closing < %(end_day)s
				and state.changed_on <= {CLOSING_MONTH_START}
				and state.opportunity in ({permitted_opportunities_sql()})
				and not exists (
					select 1 from {HISTORY_TABLE} later
					where later.opportunity = state.opportunity
						and later.changed_on >= state.changed_on
						and later.changed_on <= {CLOSING_MONTH_START}
						and (later.changed_on > state.changed_on or later.name > state.name)
				)
		),
		conversions as (
			select {CONVERSION_MONTH_START} as month_start, converted.opportunity,
				converted.opportunity_amount
			from {HISTORY_TABLE} converted
			where converted.status = 'Converted'
				and coalesce(converted.from_status, '') != 'Converted'
				and converted.changed_on > %(first_start)s and converted.changed_on <= %(end_start)s
				and converted.changed_on <= %(now)s
				and {currency_condition("converted", currency)}
				and not exists (
					select 1 from {HISTORY_TABLE} later
					where later.opportunity = converted.opportunity
						and later.status = 'Converted'
						and coalesce(later.from_status, '') != 'Converted'
						and later.changed_on >= converted.changed_on
						and later.changed_on <= {CONVERSION_MONTH_START} + interval 1 month
						and later.changed_on <= %(now)s
						and (later.changed_on > converted.changed_on or later.name > converted.name)
				)
		)
		select forecast.month_start, forecast.sales_stage,
			count(*) as opportunities,
			sum(forecast.opportunity_amount) as amount,
			sum(forecast.opportunity_amount * forecast.probability / 100) as weighted,
			coalesce(sum(conversions.opportunity_amount), 0) as actual,
			count(conversions.opportunity) as won
		from forecast
		left join conversions
			on conversions.month_start = forecast.month_start
			and conversions.opportunity = forecast.opportunity
		group by forecast.month_start, forecast.sales_stage
		""",
		{
			"currency": currency,
			"now": now,
			"open_statuses": OPEN_STATUSES,
			"first_day": first,
			"end_day": end,
			"first_start": midnight(first),
			"end_start": midnight(end),
		},
		as_dict=True,
	)
	totals: dict = {}
	for row in rows:
		row.opportunities = int(row.opportunities)
		row.won = int(row.won)
		totals.setdefault(getdate(row.month_start), []).append(row)
	return totals


def get_chart(data, currency) -> dict | None:
	"""A month's three bars side by side: what was won, and what each basis had forecast. (Frappe
	Charts' mixed bar and line chart draws its bars over the month labels.) Dataset names stay
	within the 18 characters its legend shows."""
	if not data:
		return None
	return {
		"data": {
			"labels": [formatdate(row["month"] + "-01", "MMM yyyy") for row in data],
			"datasets": [
				{"name": _("Won"), "values": [row["actual"] for row in data]},
				{"name": _("Opportunity Basis"), "values": [row["opportunity_forecast"] for row in data]},
				{"name": _("Learned Basis"), "values": [row["learned_forecast"] for row in data]},
			],
		},
		"type": "bar",
		"colors": ["#29CD42", "#2490EF", "#ECAD4B"],
		"fieldtype": "Currency",
		"options": currency,
	}


def get_summary(data, currency) -> list[dict]:
	if not data:
		return []
	mean_errors = {
		basis: sum(abs(row[f"{basis}_error"]) for row in data) / len(data)
		for basis in ("opportunity", "learned")
	}
	# The basis that erred less, when one did.
	better = None
	if mean_errors["opportunity"] != mean_errors["learned"]:
		better = min(mean_errors, key=mean_errors.get)
	summary = [
		{
			"value": mean_errors[basis],
			"label": label,
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green" if basis == better else "Blue",
		}
		for basis, label in (
			("opportunity", _("Mean Abs. Error (Opportunity)")),
			("learned", _("Mean Abs. Error (Learned)")),
		)
	]
	summary.append(
		{
			"value": sum(row["actual"] for row in data),
			"label": _("Won From the Forecast"),
			"datatype": "Currency",
			"currency": currency,
		}
	)
	return summary
