# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""Sales Pipeline Forecast: the open opportunities (status Open, Replied or Quotation) by expected
closing and sales stage; the pipeline amount and the amount weighted by a win probability, with a
chart of the weighted amount.

Rows, always in this order:

- Overdue: the open opportunities whose expected closing is before today (the site's date). A deal
  whose closing slipped is still in the pipeline: it shows here until it is won, lost or given a
  new date.
- One row per month of the date range, in order: the opportunities expected to close in that month
  from the later of Expected Closing From and today, up to Expected Closing To. The current month
  therefore holds the closings from today on; the earlier ones are Overdue.
- No Date: the open opportunities without an expected closing.

Expected Closing From / To choose the months listed. Overdue and No Date are shown whatever the
range, whenever they hold an opportunity: they have no month a range could select, and leaving them
out with a range would again drop slipped and undated deals from the forecast.

Probability basis (`probability_basis`): `Opportunity` (the default) weighs each opportunity by its
own probability; `Learned` by the win probability learned for its current stage
(forecast.get_win_rates as of now, through get_current_win_rates). An opportunity without a stage
has nothing to learn from: under Learned it keeps its own probability. The summary shows both
forecasts, whichever basis is chosen.

Each row carries `opportunity_filters`, the Pipeline Opportunity list filters (`{fieldname:
[operator, value]}`) of exactly the opportunities it counts; the report's script links the row to
that list.

The totals are added up in the database through frappe.get_list, so that permissions and User
Permissions apply: one query grouped by the year and month of the expected closing and the stage,
over the open opportunities without a date, before today or up to Expected Closing To; and the
month that holds today (or, when the range starts after today, the From date) grouped by day, read
through the index on expected_closing, to split that month at that day. The learned forecast of a
(row, stage) group is the group's amount times the stage's learned probability: Python works per
group, never per opportunity.
"""

import datetime
import hashlib
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_days, flt, formatdate, get_first_day, get_last_day, getdate, nowdate

from sales_pipeline.sales_pipeline.currency import get_currency_filter, get_default_currency
from sales_pipeline.sales_pipeline.forecast import get_current_win_rates
from sales_pipeline.sales_pipeline.report_filters import (
	check_date_order,
	get_date_filter,
	get_filters,
	get_link_filter,
	get_select_filter,
	get_text_filter,
	keep_interactive_when_failing,
)

REPORT_NAME = "Sales Pipeline Forecast"
OPPORTUNITY = "Pipeline Opportunity"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
# The column of the opportunities without a sales stage (a stage name is never empty).
NO_STAGE = ""
OPPORTUNITY_BASIS, LEARNED_BASIS = "Opportunity", "Learned"
PROBABILITY_BASES = (OPPORTUNITY_BASIS, LEARNED_BASIS)
# The rows that are not a month (a month is "YYYY-MM").
OVERDUE, NO_DATE = "overdue", "no_date"

# What each query adds up per group. frappe.get_list (v15) drops a field naming anything it does not
# know as a column of the DocType (`extract(year_month from ...)` reads as a column `year_month`)
# and refuses a field with a comma in it (`date_format(expected_closing, ...)`): the month is
# grouped as year(...) and month(...).
TOTAL_FIELDS = [
	"sales_stage",
	"sum(opportunity_amount) as amount",
	"sum(opportunity_amount * probability / 100) as weighted",
	"count(name) as opportunities",
	"min(expected_closing) as first_closing",
]


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	today = getdate(nowdate())
	periods = get_periods(filters, today)
	learned_probabilities = get_learned_probabilities()
	stages = get_stages(periods)
	columns = get_columns(stages)
	data = get_data(periods, stages, filters, today, learned_probabilities)
	chart = get_chart(data, stages, filters.currency)
	return columns, data, None, chart, get_summary(periods, filters, learned_probabilities)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use. A filter of another type (a list where one value is
	expected), a currency or stage that does not exist, a date that is not one or a probability basis
	that is not offered, is refused with a message naming it, before any query runs."""
	filters = get_filters(filters)
	valid = frappe._dict(
		from_date=get_date_filter(filters, "from_date", "Expected Closing From"),
		to_date=get_date_filter(filters, "to_date", "Expected Closing To"),
		currency=get_link_filter(filters, "currency", "Currency", "Currency"),
		sales_stage=get_link_filter(filters, "sales_stage", "Sales Stage", "Pipeline Sales Stage"),
		# A user who does not exist owns nothing: no need to tell whether one does.
		opportunity_owner=get_text_filter(filters, "opportunity_owner", "Opportunity Owner"),
		probability_basis=get_select_filter(
			filters, "probability_basis", "Probability Basis", PROBABILITY_BASES, OPPORTUNITY_BASIS
		),
	)
	if not valid.currency:
		valid.currency = get_default_currency()
	check_date_order(valid.from_date, valid.to_date)
	return valid


@dataclass
class Group:
	"""The totals of the opportunities of one row and stage."""

	amount: float = 0.0
	# amount x the opportunity's own probability / 100
	weighted: float = 0.0
	count: int = 0
	first_closing: datetime.date | None = None

	def add(self, totals) -> None:
		self.amount += flt(totals.amount)
		self.weighted += flt(totals.weighted)
		self.count += totals.opportunities
		if totals.first_closing and (not self.first_closing or totals.first_closing < self.first_closing):
			self.first_closing = totals.first_closing


def get_opportunity_conditions(filters) -> dict[str, list]:
	"""`{fieldname: [operator, value]}`: the open opportunities of the report's currency, stage and
	owner; the conditions of every query and, with the expected closing of a row, of its link."""
	conditions = {
		"status": ["in", list(OPEN_STATUSES)],
		"currency": get_currency_filter(filters.currency)[1:],
	}
	if filters.sales_stage:
		conditions["sales_stage"] = ["=", filters.sales_stage]
	if filters.opportunity_owner:
		conditions["opportunity_owner"] = ["=", filters.opportunity_owner]
	return conditions


def as_filter_list(conditions: dict[str, list]) -> list[list]:
	return [[fieldname, *condition] for fieldname, condition in conditions.items()]


def get_periods(filters, today: datetime.date) -> dict[str, dict[str, Group]]:
	"""`{period: {stage: Group}}`: Overdue first, then the months in order ("YYYY-MM"), No Date
	last; a period without opportunities is left out."""
	periods: dict[str, dict[str, Group]] = {OVERDUE: {}}
	undated: dict[str, Group] = {}
	split_months = get_split_months(filters, today)
	# The split months come before every other month a row is made of (they hold today, or the first
	# day of the range), so the rows stay in order as they are added.
	for month in split_months:
		for totals in get_day_totals(filters, today, month):
			add_to_period(periods, classify(totals.expected_closing, filters, today), totals)
	for totals in get_month_totals(filters, today):
		if totals.closing_year is None:
			add_to_groups(undated, totals)
			continue
		month = datetime.date(totals.closing_year, totals.closing_month, 1)
		if month not in split_months:
			# Every day of a month that is not split falls in the same row as its first.
			add_to_period(periods, classify(month, filters, today), totals)
	periods[NO_DATE] = undated
	return {period: groups for period, groups in periods.items() if groups}


def add_to_period(periods: dict[str, dict[str, Group]], period: str | None, totals) -> None:
	if period is not None:
		add_to_groups(periods.setdefault(period, {}), totals)


def add_to_groups(groups: dict[str, Group], totals) -> None:
	groups.setdefault(totals.sales_stage or NO_STAGE, Group()).add(totals)


def classify(closing: datetime.date, filters, today: datetime.date) -> str | None:
	"""The row of an expected closing: Overdue, its month, or None when the range leaves it out."""
	if closing < today:
		return OVERDUE
	if (filters.from_date and closing < filters.from_date) or (filters.to_date and closing > filters.to_date):
		return None
	return closing.strftime("%Y-%m")


def get_split_months(filters, today: datetime.date) -> list[datetime.date]:
	"""The months (their first day) whose days do not all fall in the same row: the month of today
	(days before it are Overdue) and, for a range starting after today, the month of its From date
	(days before it are left out)."""
	months = []
	if today.day > 1:
		months.append(get_first_day(today))
	from_date = filters.from_date
	if from_date and from_date > today and from_date.day > 1 and get_first_day(from_date) not in months:
		months.append(get_first_day(from_date))
	return months


def get_last_closing_read(filters, today: datetime.date) -> datetime.date | None:
	"""The latest expected closing any row counts: the end of the range, but every day before today
	(Overdue) too; None when the range has no end."""
	if not filters.to_date:
		return None
	return max(filters.to_date, add_days(today, -1))


def get_month_totals(filters, today: datetime.date) -> list[frappe._dict]:
	"""The totals by year and month of the expected closing (None for the undated) and stage, in
	order."""
	last_closing = get_last_closing_read(filters, today)
	or_filters = []
	if last_closing:
		or_filters = [["expected_closing", "is", "not set"], ["expected_closing", "<=", last_closing]]
	return frappe.get_list(
		OPPORTUNITY,
		filters=as_filter_list(get_opportunity_conditions(filters)),
		or_filters=or_filters,
		fields=[
			"year(expected_closing) as closing_year",
			"month(expected_closing) as closing_month",
			*TOTAL_FIELDS,
		],
		group_by="closing_year, closing_month, sales_stage",
		order_by="closing_year asc, closing_month asc",
		limit_page_length=0,
	)


def get_day_totals(filters, today: datetime.date, month: datetime.date) -> list[frappe._dict]:
	"""The totals of `month` by expected closing and stage, in order."""
	last_closing = get_last_closing_read(filters, today)
	end = get_last_day(month) if not last_closing else min(get_last_day(month), last_closing)
	conditions = as_filter_list(get_opportunity_conditions(filters))
	conditions.append(["expected_closing", "between", [month, end]])
	return frappe.get_list(
		OPPORTUNITY,
		filters=conditions,
		fields=["expected_closing", *TOTAL_FIELDS],
		group_by="expected_closing, sales_stage",
		order_by="expected_closing asc",
		limit_page_length=0,
	)


def get_learned_probabilities() -> dict[str, float]:
	"""{stage: learned win probability (%)}."""
	return {stage: rate["probability"] for stage, rate in get_current_win_rates().items()}


def get_learned_forecast(stage: str, group: Group, learned_probabilities: dict[str, float]) -> float:
	"""The group's amount weighted by its stage's learned probability. Opportunities without a stage
	(or, should one be missing from the rates, of a stage deleted meanwhile) keep their own
	probability."""
	if stage in learned_probabilities:
		return group.amount * learned_probabilities[stage] / 100
	return group.weighted


def get_stages(periods) -> list[str]:
	"""The stages present, in their sort order; opportunities without a stage come last."""
	present = {stage for groups in periods.values() for stage in groups}
	ordered = frappe.get_all("Pipeline Sales Stage", order_by="sort_order asc, name asc", pluck="name")
	stages = [stage for stage in ordered if stage in present]
	if NO_STAGE in present:
		stages.append(NO_STAGE)
	return stages


def stage_key(stage: str) -> str:
	"""The column of a stage, made from its whole name: stages whose names scrub alike ("Deal A",
	"Deal-A") each get their own column."""
	if stage == NO_STAGE:
		return "stage_none"
	return "stage_" + hashlib.sha256(stage.encode()).hexdigest()[:16]


def get_columns(stages) -> list[dict]:
	columns = [{"fieldname": "month", "label": _("Expected Closing"), "fieldtype": "Data", "width": 130}]
	for stage in stages:
		columns.append(
			{
				"fieldname": stage_key(stage),
				"label": _("No Stage") if stage == NO_STAGE else stage,
				"fieldtype": "Currency",
				"options": "currency",
				"width": 150,
			}
		)
	columns += [
		{
			"fieldname": "weighted_amount",
			"label": _("Weighted Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 150,
		},
		{
			"fieldname": "amount",
			"label": _("Pipeline Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 150,
		},
		{"fieldname": "opportunities", "label": _("Opportunities"), "fieldtype": "Int", "width": 110},
		# What the Currency columns format their values in. Data, not a Link to Currency: Frappe
		# checks the user's permission on every DocType a report's Link columns name, and gives
		# Sales Manager none on Currency.
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Data", "hidden": 1},
	]
	return columns


def get_data(periods, stages, filters, today: datetime.date, learned_probabilities) -> list[dict]:
	"""One row a period: the weighted amount of each stage (by the chosen basis), totals, and the
	list filters of its opportunities."""
	conditions = get_opportunity_conditions(filters)
	data = []
	for period, groups in periods.items():
		row = {
			"month": get_period_label(period),
			"period": period,
			**{stage_key(stage): 0.0 for stage in stages},
			"weighted_amount": 0.0,
			"amount": 0.0,
			"opportunities": 0,
			"currency": filters.currency,
			"opportunity_filters": {
				**conditions,
				"expected_closing": get_closing_condition(period, groups, filters, today),
			},
		}
		for stage, group in groups.items():
			if filters.probability_basis == LEARNED_BASIS:
				weighted = get_learned_forecast(stage, group, learned_probabilities)
			else:
				weighted = group.weighted
			row[stage_key(stage)] += weighted
			row["weighted_amount"] += weighted
			row["amount"] += group.amount
			row["opportunities"] += group.count
		data.append(row)
	return data


def get_period_label(period: str) -> str:
	if period == OVERDUE:
		return _("Overdue")
	if period == NO_DATE:
		return _("No Date")
	return formatdate(f"{period}-01", "MMM yyyy")


def get_closing_condition(period: str, groups: dict[str, Group], filters, today: datetime.date) -> list:
	"""`[operator, value]` on expected_closing that, with the report's other conditions, selects
	exactly the opportunities of the row. `between` rather than `<`: frappe.get_list reads an empty
	date as 0001-01-01 for `<` and `<=`, which would add the undated opportunities."""
	if period == NO_DATE:
		return ["is", "not set"]
	if period == OVERDUE:
		first_closing = min(group.first_closing for group in groups.values())
		return ["between", [str(first_closing), str(add_days(today, -1))]]
	month = getdate(f"{period}-01")
	start = max(filter(None, (month, today, filters.from_date)))
	end = min(filter(None, (get_last_day(month), filters.to_date)))
	return ["between", [str(start), str(end)]]


def get_chart(data, stages, currency) -> dict | None:
	if not data:
		return None
	return {
		"data": {
			"labels": [row["month"] for row in data],
			"datasets": [
				{
					"name": _("No Stage") if stage == NO_STAGE else stage,
					"values": [row[stage_key(stage)] for row in data],
				}
				for stage in stages
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Currency",
		"options": currency,
	}


def get_summary(periods, filters, learned_probabilities) -> list[dict]:
	"""Count, amount, and both forecasts whichever basis the rows use; the chosen one in green."""
	count, amount, opportunity_forecast, learned_forecast = 0, 0.0, 0.0, 0.0
	for groups in periods.values():
		for stage, group in groups.items():
			count += group.count
			amount += group.amount
			opportunity_forecast += group.weighted
			learned_forecast += get_learned_forecast(stage, group, learned_probabilities)

	def indicator(basis: str) -> str:
		return "Green" if filters.probability_basis == basis else "Blue"

	return [
		{"value": count, "label": _("Open Opportunities"), "datatype": "Int"},
		{
			"value": amount,
			"label": _("Pipeline Amount"),
			"datatype": "Currency",
			"currency": filters.currency,
		},
		{
			"value": opportunity_forecast,
			"label": _("Forecast by Opportunity Probability"),
			"datatype": "Currency",
			"currency": filters.currency,
			"indicator": indicator(OPPORTUNITY_BASIS),
		},
		{
			"value": learned_forecast,
			"label": _("Forecast by Learned Win Rate"),
			"datatype": "Currency",
			"currency": filters.currency,
			"indicator": indicator(LEARNED_BASIS),
		},
	]
