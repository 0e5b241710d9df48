# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""Why deals are lost: per Pipeline Lost Reason and period (month, quarter or year), how many
opportunities were lost for it and their amount.

- A lost opportunity is one whose status is Lost now; it counts once, in the period of the moment
  it became Lost (its last history row that moved it to Lost: a deal lost, reopened and lost again
  counts at its latest loss, with the reasons given then, which are the ones it carries now). One
  lost and reopened since is no longer lost; a Closed one was not lost for a reason.
- Its amount is the amount as it stood when it became Lost, in the report's currency as it stood
  then (an opportunity without a currency counts in the site's default currency).
- An opportunity lost for two reasons counts, with its whole amount, for each of them: a column
  adds up to more than the opportunities lost in the period when some had several reasons. The
  summary gives the opportunities lost and their amount, each counted once. One lost without a
  reason (made before the app asked for one) shows as "Not Specified".
- The period runs from the start of From Date to the end of To Date, in the site's time zone.

Only the opportunities the user may read (roles, User Permissions, sharing) count."""

import frappe
from frappe import _
from frappe.utils import add_days, cint, flt, getdate, now_datetime

from sales_pipeline.sales_pipeline.currency import get_default_currency
from sales_pipeline.sales_pipeline.history_reports import (
	HISTORY_TABLE,
	PERIODS,
	currency_condition,
	midnight,
	period_key,
	period_key_sql,
	period_label,
	period_starts,
	permitted_opportunities_sql,
)
from sales_pipeline.sales_pipeline.report_filters import (
	check_date_order,
	get_date_filter,
	get_filters,
	get_link_filter,
	get_select_filter,
	keep_interactive_when_failing,
	refuse_filter,
)

REPORT_NAME = "Pipeline Lost Reasons"
MAX_PERIODS = 120
# The row and dataset of the losses without a reason.
NO_REASON = None
# The chart's dataset of the reasons after the MAX_CHART_REASONS costliest.
OTHER_REASONS = object()
MAX_CHART_REASONS = 8
LEGEND_CHARACTERS = 15


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	periods = period_starts(filters.from_date, filters.to_date, filters.period)
	losses_cte, params = get_losses_cte(filters)
	totals = get_totals(losses_cte, params, filters.period)
	data = get_data(totals, periods, filters)
	return (
		get_columns(periods, filters.period),
		data,
		None,
		get_chart(totals, periods, filters.period),
		get_summary(losses_cte, params, filters.currency),
	)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use, or a ValidationError naming the bad one. Without
	dates: the last 12 months, this one included."""
	filters = get_filters(filters)
	valid = frappe._dict(
		from_date=get_date_filter(filters, "from_date", "From Date"),
		to_date=get_date_filter(filters, "to_date", "To Date"),
		period=get_select_filter(filters, "period", "Period", PERIODS, default="Monthly"),
		currency=get_link_filter(filters, "currency", "Currency", "Currency") or get_default_currency(),
	)
	today = getdate(now_datetime())
	if not valid.to_date:
		valid.to_date = frappe.utils.get_last_day(today)
	if not valid.from_date:
		valid.from_date = frappe.utils.add_months(valid.to_date.replace(day=1), -11)
	check_date_order(valid.from_date, valid.to_date)
	if len(period_starts(valid.from_date, valid.to_date, valid.period)) > MAX_PERIODS:
		refuse_filter("To Date", "to_date", _("at most {0} periods can be shown at once").format(MAX_PERIODS))
	return valid


def get_losses_cte(filters) -> tuple[str, dict]:
	"""`losses`: one row an opportunity that is Lost now and became Lost, the last time, in the
	range: that moment and its amount then, in the report's currency. A row that made it Lost is
	its last loss, and it is still lost, when no later row (up to now) shows another status: the
	index on opportunity and changed_on answers that, for the losses of the range only."""
	params = {
		"now": now_datetime(),
		"from": midnight(filters.from_date),
		"to": midnight(add_days(filters.to_date, 1)),
		"currency": filters.currency,
	}
	cte = f"""
		losses as (
			select lost.opportunity, lost.changed_on, lost.opportunity_amount
			from {HISTORY_TABLE} lost
			where lost.changed_on >= %(from)s and lost.changed_on < %(to)s
				and lost.changed_on <= %(now)s
				and lost.status = 'Lost'
				and coalesce(lost.from_status, '') != 'Lost'
				and {currency_condition("lost", filters.currency)}
				and lost.opportunity in ({permitted_opportunities_sql([["status", "=", "Lost"]])})
				and not exists (
					select 1 from {HISTORY_TABLE} later
					where later.opportunity = lost.opportunity
						and later.changed_on >= lost.changed_on and later.changed_on <= %(now)s
						and (later.changed_on > lost.changed_on or later.name > lost.name)
						and later.status != 'Lost'
				)
		)
	"""
	return cte, params


def get_totals(losses_cte: str, params: dict, period: str) -> list[frappe._dict]:
	"""[{period, lost_reason, lost_count, lost_amount}], one a reason and period with losses."""
	rows = frappe.db.sql(
		"""
		with {losses}
		select {period_key} as period, reason.lost_reason,
			count(*) as lost_count, sum(losses.opportunity_amount) as lost_amount
		from losses
		left join `tabPipeline Lost Reason Detail` reason
			on reason.parent = losses.opportunity
			and reason.parenttype = 'Pipeline Opportunity'
			and reason.parentfield = 'lost_reasons'
		group by period, reason.lost_reason
		""".format(losses=losses_cte, period_key=period_key_sql("losses.changed_on", period)),
		params,
		as_dict=True,
	)
	for row in rows:
		row.lost_count = cint(row.lost_count)
		row.lost_amount = flt(row.lost_amount)
	return rows


def get_reasons(totals) -> list[str | None]:
	"""The reasons with losses, the costliest first; "Not Specified" last."""
	amounts: dict = {}
	for row in totals:
		amounts[row.lost_reason] = amounts.get(row.lost_reason, 0) + row.lost_amount
	named = sorted((reason for reason in amounts if reason is not None), key=lambda r: (-amounts[r], r))
	return named + ([NO_REASON] if NO_REASON in amounts else [])


def count_field(key: str) -> str:
	return "count_" + frappe.scrub(key)


def amount_field(key: str) -> str:
	return "amount_" + frappe.scrub(key)


def get_columns(periods, period: str) -> list[dict]:
	columns = [
		{
			"fieldname": "lost_reason",
			"label": _("Lost Reason"),
			"fieldtype": "Link",
			"options": "Pipeline Lost Reason",
			"width": 220,
		},
		{"fieldname": "lost_count", "label": _("Lost"), "fieldtype": "Int", "width": 80},
		{
			"fieldname": "lost_amount",
			"label": _("Lost Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
	]
	for start in periods:
		key, label = period_key(start, period), period_label(start, period)
		columns += [
			{
				"fieldname": count_field(key),
				"label": _("{0} Lost").format(label),
				"fieldtype": "Int",
				"width": 130,
			},
			{
				"fieldname": amount_field(key),
				"label": _("{0} Amount").format(label),
				"fieldtype": "Currency",
				"options": "currency",
				"width": 170,
			},
		]
	# What the Currency columns format their values in; Data, not a Link to Currency (see the forecast).
	columns.append({"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1})
	return columns


def get_data(totals, periods, filters) -> list[dict]:
	empty_periods = {}
	for start in periods:
		key = period_key(start, filters.period)
		empty_periods[count_field(key)] = 0
		empty_periods[amount_field(key)] = 0.0
	rows = {
		reason: {
			"lost_reason": reason,
			"lost_count": 0,
			"lost_amount": 0.0,
			"currency": filters.currency,
			**empty_periods,
		}
		for reason in get_reasons(totals)
	}
	for total in totals:
		row = rows[total.lost_reason]
		row["lost_count"] += total.lost_count
		row["lost_amount"] += total.lost_amount
		row[count_field(total.period)] = total.lost_count
		row[amount_field(total.period)] = total.lost_amount
	return list(rows.values())


def get_chart(totals, periods, period: str) -> dict | None:
	"""The opportunities lost per period, a bar a period stacked by reason: the costliest reasons
	each, the others together (more colours than that are hard to tell apart)."""
	if not totals:
		return None
	keys = [period_key(start, period) for start in periods]
	reasons = get_reasons(totals)
	shown, others = reasons[:MAX_CHART_REASONS], set(reasons[MAX_CHART_REASONS:])
	if len(others) == 1:
		shown, others = reasons, set()
	counts: dict = {}
	for row in totals:
		reason = OTHER_REASONS if row.lost_reason in others else row.lost_reason
		counts[(reason, row.period)] = counts.get((reason, row.period), 0) + row.lost_count
	return {
		"data": {
			"labels": [period_label(start, period) for start in periods],
			"datasets": [
				{
					"name": chart_label(reason),
					"values": [counts.get((reason, key), 0) for key in keys],
				}
				for reason in shown + ([OTHER_REASONS] if others else [])
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Int",
	}


def chart_label(reason) -> str:
	"""The reason's name as the chart's legend can show it: Frappe Charts gives a legend entry 150
	pixels, about 15 characters, and lets a longer name run over the next entry."""
	if reason is OTHER_REASONS:
		return _("Other Reasons")
	if reason is NO_REASON:
		return _("Not Specified")
	return reason if len(reason) <= LEGEND_CHARACTERS else reason[: LEGEND_CHARACTERS - 1] + "…"


def get_summary(losses_cte: str, params: dict, currency: str) -> list[dict]:
	"""The opportunities lost and their amount, each counted once whatever its number of reasons."""
	[totals] = frappe.db.sql(
		f"""
		with {losses_cte}
		select count(*) as lost_count, sum(opportunity_amount) as lost_amount from losses
		""",
		params,
		as_dict=True,
	)
	return [
		{
			"value": cint(totals.lost_count),
			"label": _("Opportunities Lost"),
			"datatype": "Int",
			"indicator": "Red",
		},
		{
			"value": flt(totals.lost_amount),
			"label": _("Amount Lost"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red",
		},
	]
