# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""How far the opportunities got: per Pipeline Sales Stage, in its sort order, how many reached it
and how they ended, from the opportunity history.

- The opportunities: those CREATED in the period, i.e. whose `transaction_date` falls between
  From Date and To Date (either may be empty), optionally of one Opportunity Owner, among those the
  user may read (roles, User Permissions, sharing). Each is followed through its whole history up
  to now, whenever the rows were written: a funnel of a cohort.
- Reached: the opportunities whose history shows them in the stage at any time.
- Won / Lost / Still Open: of those, the ones whose status now (their last history row) is
  Converted / Lost or Closed / Open, Replied or Quotation. They add up to Reached.
- Win Rate: 100 x Won / (Won + Lost); none while none of them has closed.
- Avg. Days in Stage: the time an opportunity spent in the stage while open, averaged over the
  opportunities that were in it while open. A stay starts with the history row that shows the
  opportunity in the stage and open, and ends with the next history row that shows it in another
  stage or closed (won, lost or closed), or now for one still there. Time spent in the stage while
  closed (lost, then reopened later) does not count; stays before and after a reopening add up.
- Share: Reached as a percentage of the opportunities of the period that have any history.

Stages are listed in their sort order, each even when no opportunity reached it; stages that no
longer exist but appear in the history come last. History rows without a stage count for no stage.
"""

import frappe
from frappe import _
from frappe.utils import cint, flt, now_datetime

from sales_pipeline.sales_pipeline.forecast import LOST_STATUSES, WON_STATUSES
from sales_pipeline.sales_pipeline.history_reports import (
	HISTORY_TABLE,
	OPEN_STATUSES,
	permitted_opportunities_sql,
)
from sales_pipeline.sales_pipeline.report_filters import (
	check_date_order,
	get_date_filter,
	get_filters,
	get_text_filter,
	keep_interactive_when_failing,
)

REPORT_NAME = "Pipeline Funnel"
MICROSECONDS_A_DAY = 86_400 * 1_000_000


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	stage_totals, totals = get_totals(get_cohort_sql(filters), now_datetime())
	data = get_data(stage_totals, totals.reached)
	return get_columns(), data, None, get_chart(data), get_summary(totals)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use, or a ValidationError naming the bad one."""
	filters = get_filters(filters)
	valid = frappe._dict(
		from_date=get_date_filter(filters, "from_date", "Created From"),
		to_date=get_date_filter(filters, "to_date", "Created To"),
		# A user who does not exist owns nothing: no need to tell whether one does.
		opportunity_owner=get_text_filter(filters, "opportunity_owner", "Opportunity Owner"),
	)
	check_date_order(valid.from_date, valid.to_date)
	return valid


def get_cohort_sql(filters) -> str:
	"""The opportunities of the funnel, as SQL for `in (...)`, with the user's permission conditions."""
	conditions = []
	if filters.from_date:
		conditions.append(["transaction_date", ">=", filters.from_date])
	if filters.to_date:
		conditions.append(["transaction_date", "<=", filters.to_date])
	if filters.opportunity_owner:
		conditions.append(["opportunity_owner", "=", filters.opportunity_owner])
	return permitted_opportunities_sql(conditions)


def get_totals(cohort: str, now) -> tuple[dict[str, frappe._dict], frappe._dict]:
	"""({stage: reached, won, lost, open_microseconds, stayed}, the same over all the opportunities)
	in one query.

	Each history row of the cohort up to now gets the moment the next row of its opportunity replaced
	it (`left_on`: the stay in its stage and status lasted up to then, or up to now for the last row)
	and the opportunity's status now (its last row's). The rows are then grouped by stage, with a
	rollup row over all of them, counting distinct opportunities: grouping by opportunity and stage
	first would sort far more data (measured several times slower on 300,000 history rows)."""
	rows = frappe.db.sql(
		f"""
		select states.sales_stage,
			count(distinct states.opportunity) as reached,
			count(distinct case when states.status_now in %(won)s then states.opportunity end) as won,
			count(distinct case when states.status_now in %(lost)s then states.opportunity end) as lost,
			sum(case when states.status in %(open)s
				then timestampdiff(microsecond, states.changed_on, coalesce(states.left_on, %(now)s))
				else 0 end
			) as open_microseconds,
			count(distinct case when states.status in %(open)s then states.opportunity end) as stayed
		from (
			select state.opportunity, coalesce(state.sales_stage, '') as sales_stage, state.status,
				state.changed_on,
				lead(state.changed_on) over (
					partition by state.opportunity order by state.changed_on, state.name
				) as left_on,
				last_value(state.status) over (
					partition by state.opportunity order by state.changed_on, state.name
					rows between unbounded preceding and unbounded following
				) as status_now
			from {HISTORY_TABLE} state
			where state.opportunity in ({cohort}) and state.changed_on <= %(now)s
		) states
		group by states.sales_stage with rollup
		""",
		{"now": now, "won": WON_STATUSES, "lost": LOST_STATUSES, "open": OPEN_STATUSES},
		as_dict=True,
	)
	stages, overall = {}, frappe._dict(reached=0, won=0, lost=0, still_open=0)
	for row in rows:
		for key in ("reached", "won", "lost", "stayed"):
			row[key] = cint(row[key])
		row.still_open = row.reached - row.won - row.lost
		if row.sales_stage is None:  # the rollup row; history rows without a stage are under ""
			overall = row
		elif row.sales_stage:
			stages[row.sales_stage] = row
	return stages, overall


def get_stages(stage_totals) -> list[str]:
	stages = frappe.get_all("Pipeline Sales Stage", order_by="sort_order asc, name asc", pluck="name")
	known = set(stages)
	return stages + sorted(stage for stage in stage_totals if stage not in known)


def get_columns() -> list[dict]:
	return [
		{
			"fieldname": "sales_stage",
			"label": _("Sales Stage"),
			"fieldtype": "Link",
			"options": "Pipeline Sales Stage",
			"width": 200,
		},
		{"fieldname": "reached", "label": _("Reached"), "fieldtype": "Int", "width": 100},
		{"fieldname": "share", "label": _("Share"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "won", "label": _("Won"), "fieldtype": "Int", "width": 90},
		{"fieldname": "lost", "label": _("Lost"), "fieldtype": "Int", "width": 90},
		{"fieldname": "still_open", "label": _("Still Open"), "fieldtype": "Int", "width": 100},
		{"fieldname": "win_rate", "label": _("Win Rate"), "fieldtype": "Percent", "width": 100},
		{
			"fieldname": "avg_days_in_stage",
			"label": _("Avg. Days in Stage"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 150,
		},
	]


def get_data(stage_totals, opportunities: int) -> list[dict]:
	rows = []
	for stage in get_stages(stage_totals):
		totals = stage_totals.get(stage) or frappe._dict()
		reached, won, lost = cint(totals.reached), cint(totals.won), cint(totals.lost)
		stayed = cint(totals.stayed)
		rows.append(
			{
				"sales_stage": stage,
				"reached": reached,
				"share": 100 * reached / opportunities if opportunities else None,
				"won": won,
				"lost": lost,
				"still_open": cint(totals.still_open),
				"win_rate": 100 * won / (won + lost) if won + lost else None,
				"avg_days_in_stage": (
					flt(totals.open_microseconds) / stayed / MICROSECONDS_A_DAY if stayed else None
				),
			}
		)
	return rows


def get_chart(data) -> dict | None:
	"""Frappe Charts has no funnel: one stacked bar a stage, its height the opportunities that
	reached it, split by how they stand now."""
	if not any(row["reached"] for row in data):
		return None
	return {
		"data": {
			"labels": [row["sales_stage"] for row in data],
			"datasets": [
				{"name": _("Won"), "values": [row["won"] for row in data]},
				{"name": _("Lost"), "values": [row["lost"] for row in data]},
				{"name": _("Still Open"), "values": [row["still_open"] for row in data]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1, "spaceRatio": 0.3},
		"colors": ["#29CD42", "#E24C4C", "#2490EF"],
		"fieldtype": "Int",
	}


def get_summary(totals) -> list[dict]:
	closed = totals.won + totals.lost
	return [
		{"value": totals.reached, "label": _("Opportunities"), "datatype": "Int"},
		{"value": totals.won, "label": _("Won"), "datatype": "Int", "indicator": "Green"},
		{"value": totals.lost, "label": _("Lost"), "datatype": "Int", "indicator": "Red"},
		{"value": totals.still_open, "label": _("Still Open"), "datatype": "Int", "indicator": "Blue"},
		{
			"value": 100 * totals.won / closed if closed else None,
			"label": _("Win Rate"),
			"datatype": "Percent",
		},
	]
