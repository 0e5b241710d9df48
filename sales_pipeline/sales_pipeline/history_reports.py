# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""What the reports built on the opportunity history share: the opportunities the user may read as
a subquery, the currency condition on history rows, month and period ranges, and the win rates
learned as of many month starts at once.

The reports aggregate in the database. The opportunities a user may read are restricted by putting
the SQL `frappe.get_list` builds (roles, User Permissions, sharing, "only if creator") in an
`IN (subquery)`, so Frappe's permission conditions run in the same query as the aggregation.
"""

import datetime

import frappe
from dateutil.relativedelta import relativedelta
from frappe import _
from frappe.utils import flt, getdate

from sales_pipeline.sales_pipeline.currency import get_default_currency
from sales_pipeline.sales_pipeline.forecast import (
	CLOSED_STATUSES,
	WON_STATUSES,
	get_win_rate_settings,
	make_rate,
)

HISTORY_TABLE = "`tabPipeline Opportunity History`"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
PERIODS = ("Monthly", "Quarterly", "Yearly")


def permitted_opportunities_sql(filters: list | None = None) -> str:
	"""The SQL of `select name from tabPipeline Opportunity where <filters and the session user's
	permission conditions>`, to embed in `... in ({})` of a query run with parameters.

	frappe.get_list (v15 DatabaseQuery) checks that the user may read Pipeline Opportunity at all
	(PermissionError otherwise) and writes every value into the SQL escaped, without parameters;
	`run=0` returns that SQL instead of running it. A percent sign in it (a customer named "100%
	Foods" in a User Permission) is doubled, as the query it is embedded in is %-formatted with its
	parameters. No ORDER BY and no LIMIT: MariaDB refuses a LIMIT in an IN subquery."""
	query = frappe.get_list(
		"Pipeline Opportunity",
		filters=filters or [],
		fields=["`tabPipeline Opportunity`.`name`"],
		order_by=None,
		limit_page_length=0,
		run=0,
	)
	# Selected from a derived table, the permitted names are materialised once (measured faster than
	# the bare subquery on 100,000 opportunities).
	query = query.replace("%", "%%")
	return f"select name from ({query}) permitted_opportunities"


def currency_condition(alias: str, currency: str) -> str:
	"""SQL condition on the `currency` of the history rows `alias`, with the parameter
	`%(currency)s`: rows in `currency`; a row without a currency is shown in the site's default
	currency, so it counts in that one (as get_currency_or_filters does for opportunities)."""
	condition = f"{alias}.currency = %(currency)s"
	if currency == get_default_currency():
		condition = f"({condition} or coalesce({alias}.currency, '') = '')"
	return condition


def month_starts(from_date: datetime.date, to_date: datetime.date) -> list[datetime.date]:
	"""The first day of each calendar month from the month of `from_date` to that of `to_date`."""
	month = getdate(from_date).replace(day=1)
	last = getdate(to_date).replace(day=1)
	months = []
	while month <= last:
		months.append(month)
		month += relativedelta(months=1)
	return months


def period_start(day: datetime.date, period: str) -> datetime.date:
	"""The first day of the period (`PERIODS`) that holds `day`."""
	if period == "Yearly":
		return day.replace(month=1, day=1)
	if period == "Quarterly":
		return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
	return day.replace(day=1)


def period_starts(from_date: datetime.date, to_date: datetime.date, period: str) -> list[datetime.date]:
	step = {"Monthly": 1, "Quarterly": 3, "Yearly": 12}[period]
	start, last = period_start(from_date, period), period_start(to_date, period)
	starts = []
	while start <= last:
		starts.append(start)
		start += relativedelta(months=step)
	return starts


def period_key(start: datetime.date, period: str) -> str:
	"""The key the reports' SQL groups a period by (see `period_key_sql`): 2027-01, 2027-Q1, 2027."""
	if period == "Yearly":
		return str(start.year)
	if period == "Quarterly":
		return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
	return start.strftime("%Y-%m")


def period_key_sql(column: str, period: str) -> str:
	"""SQL of the period key of a datetime column, as `period_key` makes it (%-escaped)."""
	if period == "Yearly":
		return f"cast(year({column}) as char)"
	if period == "Quarterly":
		return f"concat(year({column}), '-Q', quarter({column}))"
	return f"date_format({column}, '%%Y-%%m')"


def period_label(start: datetime.date, period: str) -> str:
	if period == "Yearly":
		return str(start.year)
	if period == "Quarterly":
		return _("Q{0} {1}").format((start.month - 1) // 3 + 1, start.year)
	return frappe.utils.formatdate(start, "MMM yyyy")


def midnight(day: datetime.date) -> datetime.datetime:
	"""The start of `day` in the site's time zone: history `changed_on` holds naive site times."""
	return datetime.datetime.combine(day, datetime.time.min)


def month_index(day: datetime.date) -> int:
	"""The number of months from January 1900 to the month of `day`, as MariaDB's
	`period_diff(YYYYMM, 190001)` counts them."""
	return (day.year - 1900) * 12 + day.month - 1


def month_index_sql(column: str) -> str:
	"""SQL of the `month_index` of the first month starting at or after the datetime `column` (null
	for null): the month after the one holding the moment just before it. `column` appears once, so
	it may be a subquery."""
	return f"(period_diff(extract(year_month from {column} - interval 1 microsecond), 190001) + 1)"


# When the opportunity of the closing row `closed` was reopened: its first row after it that is not
# closed.
REOPENED_ON = f"""(
	select min(reopened.changed_on) from {HISTORY_TABLE} reopened
	where reopened.opportunity = closed.opportunity
		and reopened.changed_on > closed.changed_on
		and reopened.status not in %(closed)s
)"""


def get_win_rates_at_month_starts(months: list[datetime.date]) -> dict[datetime.date, dict]:
	"""`{first day of M: get_win_rates(as_of=<midnight that day>)}` for each of `months`, learned
	in one query instead of one `get_win_rates` a month (seconds each on a site with hundreds of
	thousands of history rows). Same definition, same settings, same `make_rate`; the tests hold the
	two equal.

	An opportunity that became closed (Converted, Lost or Closed, from an open status) at T and was
	reopened at R (its first open row after T; none when it was not) is closed, with its stages up to
	T, as of every moment in [T, R), and counts within the window as of the moments before T + the
	window. So it counts as of the month starts S with T <= S < min(R, T + window): from the first
	month starting at or after T, for `window` months, and before the first month starting at or
	after R. The query groups the closings by stage, outcome and those two month indexes; the months
	are then counted up from those few groups."""
	if not months:
		return {}
	window, prior_weight = get_win_rate_settings()
	first, last = min(months), max(months)
	rows = frappe.db.sql(
		f"""
		select seen.sales_stage, closings.won, closings.from_month, closings.until_month,
			count(distinct closings.opportunity) as opportunities
		from (
			select closed.opportunity, closed.changed_on as closed_on,
				closed.status in %(won)s as won,
				{month_index_sql("closed.changed_on")} as from_month,
				{month_index_sql(REOPENED_ON)} as until_month
			from {HISTORY_TABLE} closed
			where closed.status in %(closed)s
				and coalesce(closed.from_status, '') not in %(closed)s
				and closed.changed_on > %(since)s and closed.changed_on <= %(until)s
		) closings
		join {HISTORY_TABLE} seen
			on seen.opportunity = closings.opportunity and seen.changed_on <= closings.closed_on
		where seen.sales_stage is not null
		group by seen.sales_stage, closings.won, closings.from_month, closings.until_month
		""",
		{
			"won": WON_STATUSES,
			"closed": CLOSED_STATUSES,
			"since": midnight(first - relativedelta(months=window)),
			"until": midnight(last),
		},
		as_dict=True,
	)
	counts = {month: {} for month in months}
	indexes = {month_index(month): month for month in months}
	for row in rows:
		end = row.from_month + window
		if row.until_month is not None:
			end = min(end, row.until_month)
		for index in range(row.from_month, end):
			if index in indexes:
				stage = counts[indexes[index]].setdefault(row.sales_stage, [0, 0])
				stage[0 if row.won else 1] += row.opportunities
	stages = frappe.get_all(
		"Pipeline Sales Stage", fields=["name", "probability"], order_by="sort_order asc, name asc"
	)
	return {
		month: {
			stage.name: make_rate(
				*counts[month].get(stage.name, (0, 0)), flt(stage.probability), prior_weight
			)
			for stage in stages
		}
		for month in months
	}
