"""The floors of scripts/benchmark.py and scripts/forecast_accuracy.py: the same answers as the
app's reports and functions, straight from the database in raw SQL over the same rows, with the
same filters and the same User Permission condition, and nothing else. Table names and constants
are the only values formatted into the statements; user values are escaped or passed as
parameters."""

import frappe
from frappe.utils import add_months, add_to_date, flt, get_datetime, get_first_day, getdate, now_datetime

OPPORTUNITY = "Pipeline Opportunity"
HISTORY = "`tabPipeline Opportunity History`"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
WON_STATUSES, LOST_STATUSES = ("Converted",), ("Lost", "Closed")
CLOSED_STATUSES = WON_STATUSES + LOST_STATUSES


def sql_list(values) -> str:
	return ", ".join(frappe.db.escape(value) for value in values)


def user_permission_sql(doctype: str, user: str, table: str) -> str:
	"""The condition Frappe adds for the user's User Permissions on `doctype` (each Link field to a
	restricted DocType empty or one of the allowed values), as SQL on `table`; "" when none."""
	from frappe.permissions import get_user_permissions

	permissions = get_user_permissions(user)
	conditions = []
	for df in frappe.get_meta(doctype).get_link_fields():
		if df.ignore_user_permissions or df.options not in permissions:
			continue
		allowed = [
			entry.doc
			for entry in permissions[df.options]
			if not entry.get("applicable_for") or entry.get("applicable_for") == doctype
		]
		if allowed:
			column = f"{table}.`{df.fieldname}`"
			conditions.append(f"(ifnull({column}, '') = '' or {column} in ({sql_list(allowed)}))")
	return " and ".join(conditions)


def and_user_permission(doctype: str, user: str, table: str) -> str:
	condition = user_permission_sql(doctype, user, table)
	return f" and {condition}" if condition else ""


def currency_sql(table: str, currency: str) -> str:
	"""In `currency`, or in none when it is the default one (the app's currency filter)."""
	condition = f"{table}.currency = {frappe.db.escape(currency)}"
	if currency == frappe.db.get_default("currency"):
		condition = f"({condition} or ifnull({table}.currency, '') = '')"
	return condition


# Win rates -------------------------------------------------------------------------------------


def win_rate_settings() -> tuple[int, float]:
	from sales_pipeline.sales_pipeline import forecast

	if hasattr(forecast, "get_win_rate_settings"):
		return forecast.get_win_rate_settings()
	return 12, 10.0


def became_closed_sql(alias: str) -> str:
	closed = sql_list(CLOSED_STATUSES)
	return f"{alias}.status in ({closed}) and ({alias}.from_status is null or {alias}.from_status not in ({closed}))"


def win_rate_counts(as_of, months: int) -> dict[str, list[int]]:
	"""{stage: [won, lost]} as get_win_rates defines them, in one statement: the opportunities whose
	last closing up to `as_of` falls in the window, found from the history rows of the window alone
	(through the `changed_on` index), not reopened since; then their stages up to that closing."""
	as_of = get_datetime(as_of)
	since = add_to_date(as_of, months=-months)
	closed, won = sql_list(CLOSED_STATUSES), sql_list(WON_STATUSES)
	rows = frappe.db.sql(
		f"""
		select stages.sales_stage, closing.status in ({won}) as won, count(distinct stages.opportunity)
		from (
			select became.opportunity, max(became.changed_on) as closed_on
			from {HISTORY} became
			where became.changed_on > %(since)s and became.changed_on <= %(as_of)s
				and {became_closed_sql("became")}
			group by became.opportunity
		) closings
		join {HISTORY} closing
			on closing.opportunity = closings.opportunity and closing.changed_on = closings.closed_on
		join {HISTORY} stages
			on stages.opportunity = closings.opportunity and stages.changed_on <= closings.closed_on
		where stages.sales_stage is not null and {became_closed_sql("closing")}
			and not exists (
				select 1 from {HISTORY} reopened
				where reopened.opportunity = closings.opportunity and reopened.changed_on > closings.closed_on
					and reopened.changed_on <= %(as_of)s and reopened.status not in ({closed})
			)
		group by stages.sales_stage, won
		""",
		{"as_of": as_of, "since": since},
	)
	counts: dict[str, list[int]] = {}
	for stage, is_won, count in rows:
		counts.setdefault(stage, [0, 0])[0 if is_won else 1] += int(count)
	return counts


def win_rates(as_of=None, months: int | None = None) -> dict[str, float]:
	"""{stage: learned probability} from `win_rate_counts`, smoothed as the app documents it."""
	default_months, weight = win_rate_settings()
	counts = win_rate_counts(as_of or now_datetime(), months or default_months)
	probabilities = {}
	for stage, default in frappe.db.sql("select name, probability from `tabPipeline Sales Stage`"):
		won, lost = counts.get(stage, (0, 0))
		total = won + lost + weight
		probabilities[stage] = 100 * (won + weight * flt(default) / 100) / total if total else flt(default)
	return probabilities


def check_win_rates(app: dict, as_of=None) -> str:
	"""Whether get_win_rates' result `app` has the floor's counts and probabilities."""
	counts = win_rate_counts(as_of or now_datetime(), win_rate_settings()[0])
	probabilities = win_rates(as_of)
	differing = [
		stage
		for stage, rate in app.items()
		if [rate["won"], rate["lost"]] != counts.get(stage, [0, 0])
		or abs(rate["probability"] - probabilities.get(stage, 0)) > 1e-6
	]
	if differing:
		return f"DIFFERENT counts for {', '.join(differing)}"
	won = sum(rate["won"] for rate in app.values())
	lost = sum(rate["lost"] for rate in app.values())
	return f"same won / lost of every stage ({won:,} / {lost:,} stage counts)"


# Sales Pipeline Forecast -----------------------------------------------------------------------


def forecast_rows(filters: dict, user: str, with_buckets: bool) -> list:
	"""The open opportunities of the currency by expected closing month (with Overdue and No Date
	buckets, or within from_date..to_date only) and stage: count, amount, amount x own probability."""
	if with_buckets:
		bucket = (
			"case when o.expected_closing is null then 'No Date' when o.expected_closing < %(today)s "
			"then 'Overdue' else date_format(o.expected_closing, '%%Y-%%m') end"
		)
		in_range = "(o.expected_closing is null or o.expected_closing <= %(to_date)s)"
	else:
		bucket = "date_format(o.expected_closing, '%%Y-%%m')"
		in_range = "o.expected_closing between %(from_date)s and %(to_date)s"
	return frappe.db.sql(
		f"""
		select {bucket} as bucket, o.sales_stage, count(*) as opportunities,
			sum(o.opportunity_amount) as amount,
			sum(o.opportunity_amount * o.probability / 100) as weighted
		from `tab{OPPORTUNITY}` o
		where o.status in ({sql_list(OPEN_STATUSES)}) and {currency_sql("o", filters["currency"])}
			and {in_range}{and_user_permission(OPPORTUNITY, user, "o")}
		group by bucket, o.sales_stage
		""",
		{"today": getdate(), **filters},
		as_dict=True,
	)


def forecast(filters: dict, user: str, with_buckets: bool, learned: bool, rates: dict | None = None) -> list:
	"""`forecast_rows`, weighted by the learned probabilities when `learned` (learned here by the
	win-rate floor) or when `rates` are given (learned before)."""
	rows = forecast_rows(filters, user, with_buckets)
	probabilities = win_rates() if learned else rates
	if probabilities is not None:
		for row in rows:
			row.weighted = flt(row.amount) * probabilities.get(row.sales_stage, 0) / 100
	return rows


# Forecast accuracy -----------------------------------------------------------------------------


def months_between(from_date, to_date) -> list:
	"""First days of the calendar months from from_date's to to_date's."""
	month, last = get_first_day(from_date), get_first_day(to_date)
	months = []
	while month <= last:
		months.append(month)
		month = add_months(month, 1)
	return months


def open_at(moment, closing_from, closing_to, currency: str) -> list:
	"""The opportunities open at `moment` whose expected closing, as it stood then, falls in
	[closing_from, closing_to): their state then, the history rows with those values that no later
	row (up to `moment`) replaced."""
	return frappe.db.sql(
		f"""
		select s.opportunity, s.sales_stage, s.opportunity_amount, s.probability
		from {HISTORY} s
		where s.changed_on <= %(moment)s and s.status in ({sql_list(OPEN_STATUSES)})
			and {currency_sql("s", currency)}
			and s.expected_closing >= %(closing_from)s and s.expected_closing < %(closing_to)s
			and not exists (
				select 1 from {HISTORY} later
				where later.opportunity = s.opportunity and later.changed_on <= %(moment)s
					and (later.changed_on > s.changed_on or (later.changed_on = s.changed_on and later.name > s.name))
			)
		""",
		{"moment": moment, "closing_from": closing_from, "closing_to": closing_to},
		as_dict=True,
	)


def converted_between(start, end, currency: str) -> dict[str, float]:
	"""{opportunity: amount} of those that became Converted after `start` and up to `end`, at their
	last such change, in `currency` then."""
	won = sql_list(WON_STATUSES)
	return dict(
		frappe.db.sql(
			f"""select opportunity, opportunity_amount from {HISTORY} h
			where changed_on > %(start)s and changed_on <= %(end)s and status in ({won})
				and (from_status is null or from_status not in ({won})) and {currency_sql("h", currency)}
			order by changed_on, name""",
			{"start": start, "end": end},
		)
	)


def forecast_accuracy(from_date, to_date, currency: str | None = None, learned_rates=None) -> list[dict]:
	"""Per calendar month M: the opportunities open at the start of M whose expected closing (as it
	stood then) falls in M; their amount x own probability then (`opportunity_forecast`), x the
	probability learned as of the start of M (`learned_forecast`, from `learned_rates(as_of)`,
	default the floor's `win_rates`), and the amount of those of them that became Converted during
	M (after its start, up to the start of the next month: `actual`, the amount at the conversion)."""
	currency = currency or frappe.db.get_default("currency")
	learned_rates = learned_rates or (lambda as_of: win_rates(as_of))
	months = []
	for start in months_between(from_date, to_date):
		end = add_months(start, 1)
		moment = get_datetime(start)
		probabilities = learned_rates(moment)
		rows = open_at(moment, start, end, currency)
		converted = converted_between(moment, get_datetime(end), currency)
		months.append(
			{
				"month": start.strftime("%Y-%m"),
				"opportunities": len(rows),
				"opportunity_forecast": sum(
					flt(row.opportunity_amount) * flt(row.probability) / 100 for row in rows
				),
				"learned_forecast": sum(
					flt(row.opportunity_amount) * probabilities.get(row.sales_stage, 0) / 100 for row in rows
				),
				"actual": sum(converted[row.opportunity] for row in rows if row.opportunity in converted),
				"won": sum(1 for row in rows if row.opportunity in converted),
			}
		)
	return months


# Pipeline Funnel -------------------------------------------------------------------------------


def funnel(filters: dict, user: str) -> tuple[list, dict]:
	"""Per stage, over the opportunities created (transaction_date) in the period: how many reached
	it (a history row in it), how many of those are won / lost / open now (the opportunity's own
	status, which is its last history row's), and the time spent in it while open (from each row
	that shows it there to the next row, or now), in two statements."""
	now = now_datetime()
	cohort = f"""select o.name from `tab{OPPORTUNITY}` o
		where o.transaction_date between %(from_date)s and %(to_date)s
		{and_user_permission(OPPORTUNITY, user, "o")}"""
	params = {**filters, "now": now}
	open_, won, lost = sql_list(OPEN_STATUSES), sql_list(WON_STATUSES), sql_list(LOST_STATUSES)
	stages = frappe.db.sql(
		f"""
		select stays.sales_stage, count(*) as reached, sum(o.status in ({won})) as won,
			sum(o.status in ({lost})) as lost, sum(o.status in ({open_})) as still_open,
			sum(stays.open_microseconds) as open_microseconds, sum(stays.stayed) as stayed
		from (
			select rows_.opportunity, rows_.sales_stage,
				sum(if(rows_.status in ({open_}),
					timestampdiff(microsecond, rows_.changed_on, coalesce(rows_.left_on, %(now)s)), 0)
				) as open_microseconds,
				max(rows_.status in ({open_})) as stayed
			from (
				select h.opportunity, h.sales_stage, h.status, h.changed_on,
					lead(h.changed_on) over (partition by h.opportunity order by h.changed_on, h.name) as left_on
				from {HISTORY} h
				where h.opportunity in ({cohort}) and h.changed_on <= %(now)s
			) rows_
			where rows_.sales_stage is not null
			group by rows_.opportunity, rows_.sales_stage
		) stays
		join `tab{OPPORTUNITY}` o on o.name = stays.opportunity
		group by stays.sales_stage
		""",
		params,
		as_dict=True,
	)
	[totals] = frappe.db.sql(
		f"""select count(*) as opportunities, sum(o.status in ({won})) as won,
			sum(o.status in ({lost})) as lost, sum(o.status in ({open_})) as still_open
		from `tab{OPPORTUNITY}` o
		where o.name in ({cohort}) and exists (
			select 1 from {HISTORY} h where h.opportunity = o.name and h.changed_on <= %(now)s
		)""",
		params,
		as_dict=True,
	)
	return stages, totals


# Pipeline Lost Reasons -------------------------------------------------------------------------


def lost_reasons(filters: dict, user: str, currency: str | None = None) -> tuple[list, list]:
	"""Per month and reason: the opportunities Lost now (their own status) whose last change to Lost
	falls in the period, counted at that change, with the amount then in `currency`; and the same
	opportunities counted once (count, amount). Two statements."""
	currency = currency or frappe.db.get_default("currency")
	params = {
		"from": get_datetime(filters["from_date"]),
		"to": get_datetime(add_to_date(getdate(filters["to_date"]), days=1)),
		"now": now_datetime(),
	}
	losses = f"""
		select loss.opportunity, loss.changed_on, loss.opportunity_amount
		from (
			select h.opportunity, max(h.changed_on) as changed_on
			from {HISTORY} h
			join `tab{OPPORTUNITY}` o on o.name = h.opportunity
			where o.status = 'Lost' and h.status = 'Lost' and coalesce(h.from_status, '') != 'Lost'
				and h.changed_on <= %(now)s{and_user_permission(OPPORTUNITY, user, "o")}
			group by h.opportunity
		) last_loss
		join {HISTORY} loss
			on loss.opportunity = last_loss.opportunity and loss.changed_on = last_loss.changed_on
		where loss.changed_on >= %(from)s and loss.changed_on < %(to)s and {currency_sql("loss", currency)}
	"""
	by_reason = frappe.db.sql(
		f"""select date_format(losses.changed_on, '%%Y-%%m') as period, reason.lost_reason,
			count(*) as lost_count, sum(losses.opportunity_amount) as lost_amount
		from ({losses}) losses
		left join `tabPipeline Lost Reason Detail` reason
			on reason.parent = losses.opportunity and reason.parenttype = {frappe.db.escape(OPPORTUNITY)}
			and reason.parentfield = 'lost_reasons'
		group by period, reason.lost_reason""",
		params,
		as_dict=True,
	)
	totals = frappe.db.sql(f"select count(*), sum(losses.opportunity_amount) from ({losses}) losses", params)
	return by_reason, totals
