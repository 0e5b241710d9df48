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
	"""{stage: [won, lost]} as get_win_rates defines them, in one statement: the rows of the window
	(through the `changed_on` index) that closed an opportunity and after which no row up to `as_of`
	reopened it, each with the stages of its opportunity up to then."""
	as_of = get_datetime(as_of)
	since = add_to_date(as_of, months=-months)
	closed, won = sql_list(CLOSED_STATUSES), sql_list(WON_STATUSES)
	rows = frappe.db.sql(
		f"""
		select stages.sales_stage, closings.won, count(distinct stages.opportunity)
		from (
			select closing.opportunity, closing.changed_on, closing.status in ({won}) as won
			from {HISTORY} closing
			where closing.changed_on > %(since)s and closing.changed_on <= %(as_of)s
				and {became_closed_sql("closing")}
				and not exists (
					select 1 from {HISTORY} reopened
					where reopened.opportunity = closing.opportunity
						and reopened.changed_on > closing.changed_on and reopened.changed_on <= %(as_of)s
						and reopened.status not in ({closed})
				)
		) closings
		join {HISTORY} stages
			on stages.opportunity = closings.opportunity and stages.changed_on <= closings.changed_on
		where stages.sales_stage is not null
		group by stages.sales_stage, closings.won
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


def month_index_sql(column: str) -> str:
	"""SQL: the index (months since January 1900) of the first month starting at or after `column`."""
	return f"(period_diff(extract(year_month from {column} - interval 1 microsecond), 190001) + 1)"


def month_index(day) -> int:
	return (day.year - 1900) * 12 + day.month - 1


def win_rates_at_month_starts(starts: list, months: int | None = None) -> dict:
	"""{first day of M: {stage: learned probability as of midnight that day}} for all of `starts` in
	one statement: each closing of the span (a row that made its opportunity Converted, Lost or
	Closed) with the month starts it counts at (from the first at or after it, for the window's
	months, until the first at or after its opportunity's next open row), by stage and outcome; the
	few groups are then added up per month."""
	window, weight = win_rate_settings()
	window = months or window
	closed, won = sql_list(CLOSED_STATUSES), sql_list(WON_STATUSES)
	reopened_on = f"""(select min(reopened.changed_on) from {HISTORY} reopened
		where reopened.opportunity = closing.opportunity and reopened.changed_on > closing.changed_on
			and reopened.status not in ({closed}))"""
	rows = frappe.db.sql(
		f"""
		select seen.sales_stage, closings.won, closings.from_month, closings.until_month,
			count(distinct closings.opportunity)
		from (
			select closing.opportunity, closing.changed_on, closing.status in ({won}) as won,
				{month_index_sql("closing.changed_on")} as from_month,
				{month_index_sql(reopened_on)} as until_month
			from {HISTORY} closing
			where closing.changed_on > %(since)s and closing.changed_on <= %(until)s
				and {became_closed_sql("closing")}
		) closings
		join {HISTORY} seen
			on seen.opportunity = closings.opportunity and seen.changed_on <= closings.changed_on
		where seen.sales_stage is not null
		group by seen.sales_stage, closings.won, closings.from_month, closings.until_month
		""",
		{
			"since": get_datetime(add_months(min(starts), -window)),
			"until": get_datetime(max(starts)),
		},
	)
	counts = {start: {} for start in starts}
	by_index = {month_index(start): start for start in starts}
	for stage, is_won, from_month, until_month, count in rows:
		end = from_month + window if until_month is None else min(from_month + window, until_month)
		for index in range(from_month, end):
			if index in by_index:
				counts[by_index[index]].setdefault(stage, [0, 0])[0 if is_won else 1] += int(count)
	defaults = frappe.db.sql("select name, probability from `tabPipeline Sales Stage`")
	learned = {}
	for start in starts:
		learned[start] = {}
		for stage, default in defaults:
			won_count, lost_count = counts[start].get(stage, (0, 0))
			total = won_count + lost_count + weight
			learned[start][stage] = (
				100 * (won_count + weight * flt(default) / 100) / total if total else flt(default)
			)
	return learned


def open_at_month_starts(starts: list, currency: str) -> list:
	"""For each month start: the opportunities open then whose expected closing, as it stood then,
	falls in that month, with their state then, in one statement. A history row can only be such a
	state at the start of the month of its own expected closing: it is when it was changed by then
	and no later row of its opportunity was."""
	month_start = "timestamp(date_format(s.expected_closing, '%%Y-%%m-01'))"
	return frappe.db.sql(
		f"""
		select {month_start} as starts_on, s.opportunity, s.sales_stage, s.opportunity_amount,
			s.probability
		from {HISTORY} s
		where s.expected_closing >= %(first)s and s.expected_closing < %(end)s
			and s.changed_on <= {month_start}
			and s.status in ({sql_list(OPEN_STATUSES)}) and {currency_sql("s", currency)}
			and not exists (
				select 1 from {HISTORY} later
				where later.opportunity = s.opportunity and later.changed_on <= {month_start}
					and (later.changed_on > s.changed_on or (later.changed_on = s.changed_on and later.name > s.name))
			)
		""",
		{"first": min(starts), "end": add_months(max(starts), 1)},
		as_dict=True,
	)


def conversions_between(start, end, currency: str) -> dict:
	"""{(index of the month, opportunity): amount} of the rows that made an opportunity Converted
	after `start` and up to `end` (a month runs from after its first midnight to its next month's),
	the last of each month, with the amount then, in `currency` then."""
	won = sql_list(WON_STATUSES)
	rows = frappe.db.sql(
		f"""select {month_index_sql("h.changed_on")} - 1, opportunity, opportunity_amount
		from {HISTORY} h
		where changed_on > %(start)s and changed_on <= %(end)s and status in ({won})
			and (from_status is null or from_status not in ({won})) and {currency_sql("h", currency)}
		order by changed_on, name""",
		{"start": start, "end": end},
	)
	return {(int(index), opportunity): flt(amount) for index, opportunity, amount in rows}


def forecast_accuracy(from_date, to_date, currency: str | None = None, learned_rates=None) -> list[dict]:
	"""Per calendar month M: the opportunities open at the start of M whose expected closing (as it
	stood then) falls in M; their amount x own probability then (`opportunity_forecast`), x the
	probability learned as of the start of M (`learned_forecast`: `learned_rates(starts)` gives
	{start: {stage: probability}}, by default `win_rates_at_month_starts`), and the amount of those
	of them that became Converted during M (after its start, up to the start of the next month:
	`actual`, the amount at the conversion). Three statements."""
	currency = currency or frappe.db.get_default("currency")
	starts = months_between(from_date, to_date)
	learned = (learned_rates or win_rates_at_month_starts)(starts)
	open_rows = open_at_month_starts(starts, currency)
	conversions = conversions_between(
		get_datetime(starts[0]), get_datetime(add_months(starts[-1], 1)), currency
	)
	months = {
		start: {
			"month": start.strftime("%Y-%m"),
			"opportunities": 0,
			"opportunity_forecast": 0.0,
			"learned_forecast": 0.0,
			"actual": 0.0,
			"won": 0,
		}
		for start in starts
	}
	for row in open_rows:
		start = getdate(row.starts_on)
		month = months[start]
		amount = flt(row.opportunity_amount)
		month["opportunities"] += 1
		month["opportunity_forecast"] += amount * flt(row.probability) / 100
		month["learned_forecast"] += amount * learned[start].get(row.sales_stage, 0) / 100
		converted = conversions.get((month_index(start), row.opportunity))
		if converted is not None:
			month["actual"] += converted
			month["won"] += 1
	return list(months.values())


def app_win_rates_at_month_starts(starts: list) -> dict:
	"""{start: {stage: probability}} from the app's `get_win_rates(as_of=midnight of start)`."""
	from sales_pipeline.sales_pipeline.forecast import get_win_rates

	return {
		start: {
			stage: rate["probability"] for stage, rate in get_win_rates(as_of=get_datetime(start)).items()
		}
		for start in starts
	}


# Pipeline Funnel -------------------------------------------------------------------------------


def funnel(filters: dict, user: str) -> tuple[dict, dict]:
	"""Per stage, over the opportunities created (transaction_date) in the period: how many reached
	it (a history row in it), how many of those are won / lost now (their last row's status), and
	the time spent in it while open (from each open row in it to the next row, or now) over how many
	stayed in it open; and the same over all of them (rollup). One statement."""
	cohort = f"""select name from (select o.name from `tab{OPPORTUNITY}` o
		where o.transaction_date between %(from_date)s and %(to_date)s
		{and_user_permission(OPPORTUNITY, user, "o")}) cohort"""
	open_, won, lost = sql_list(OPEN_STATUSES), sql_list(WON_STATUSES), sql_list(LOST_STATUSES)
	rows = frappe.db.sql(
		f"""
		select states.sales_stage,
			count(distinct states.opportunity) as reached,
			count(distinct if(states.status_now in ({won}), states.opportunity, null)) as won,
			count(distinct if(states.status_now in ({lost}), states.opportunity, null)) as lost,
			sum(if(states.status in ({open_}),
				timestampdiff(microsecond, states.changed_on, coalesce(states.left_on, %(now)s)), 0)
			) as open_microseconds,
			count(distinct if(states.status in ({open_}), states.opportunity, null)) as stayed
		from (
			select h.opportunity, coalesce(h.sales_stage, '') as sales_stage, h.status, h.changed_on,
				lead(h.changed_on) over (partition by h.opportunity order by h.changed_on, h.name) as left_on,
				last_value(h.status) over (
					partition by h.opportunity order by h.changed_on, h.name
					rows between unbounded preceding and unbounded following
				) as status_now
			from {HISTORY} h
			where h.opportunity in ({cohort}) and h.changed_on <= %(now)s
		) states
		group by states.sales_stage with rollup
		""",
		{**filters, "now": now_datetime()},
		as_dict=True,
	)
	stages = {row.sales_stage: row for row in rows if row.sales_stage}
	totals = next((row for row in rows if row.sales_stage is None), frappe._dict(reached=0))
	for row in [*stages.values(), totals]:
		row.still_open = int(row.reached or 0) - int(row.won or 0) - int(row.lost or 0)
	return stages, totals


# Pipeline Lost Reasons -------------------------------------------------------------------------


def lost_reasons(filters: dict, user: str, currency: str | None = None) -> tuple[list, list]:
	"""Per month and reason: the opportunities whose row that made them Lost falls in the period and
	that no later row (up to now) shows in another status, with the amount on that row in `currency`;
	and the same opportunities counted once (count, amount). Two statements."""
	currency = currency or frappe.db.get_default("currency")
	params = {
		"from": get_datetime(filters["from_date"]),
		"to": get_datetime(add_to_date(getdate(filters["to_date"]), days=1)),
		"now": now_datetime(),
	}
	permitted = user_permission_sql(OPPORTUNITY, user, "o")
	if permitted:
		permitted = f" and lost.opportunity in (select o.name from `tab{OPPORTUNITY}` o where {permitted})"
	losses = f"""
		select lost.opportunity, lost.changed_on, lost.opportunity_amount
		from {HISTORY} lost
		where lost.changed_on >= %(from)s and lost.changed_on < %(to)s and lost.changed_on <= %(now)s
			and lost.status = 'Lost' and coalesce(lost.from_status, '') != 'Lost'
			and {currency_sql("lost", currency)}{permitted}
			and not exists (
				select 1 from {HISTORY} later
				where later.opportunity = lost.opportunity and later.changed_on <= %(now)s
					and (later.changed_on > lost.changed_on or (later.changed_on = lost.changed_on and later.name > lost.name))
					and later.status != 'Lost'
			)
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
