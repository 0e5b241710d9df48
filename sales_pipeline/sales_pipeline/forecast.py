# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""Win rates learned from the opportunity history.

For each Pipeline Sales Stage: of the opportunities that closed within the window before
`as_of`, how many that had been in that stage were won (became Converted) and how many lost
(became Lost or Closed), and the win probability smoothed towards the stage's default
probability, so that a stage with little history stays near its default:

    probability = 100 x (won + k x p0 / 100) / (won + lost + k)

k being Pipeline Settings `win_rate_prior_weight` and p0 the stage's default probability. Only
history rows changed on or before `as_of` are read, so a rate learned "as of" a past moment is
the rate that could have been known then. The rates are a property of the whole pipeline (like
a stage's default probability), not of the records one user may read."""

import hashlib

import frappe
from dateutil.relativedelta import relativedelta
from frappe.query_builder.functions import Max
from frappe.utils import cint, flt, get_datetime, now_datetime, nowdate

from sales_pipeline.sales_pipeline.history import HISTORY_DOCTYPE

WON_STATUSES = ("Converted",)
LOST_STATUSES = ("Lost", "Closed")
CLOSED_STATUSES = WON_STATUSES + LOST_STATUSES
# The documented defaults, used while Pipeline Settings has no value (a Single's field added
# after the site was installed reads 0 until someone saves the settings).
DEFAULT_WIN_RATE_MONTHS = 12
DEFAULT_PRIOR_WEIGHT = 10
# How long the rates learned as of now stay in the cache (get_current_win_rates).
CURRENT_WIN_RATES_CACHE_SECONDS = 3600


def get_win_rate_settings() -> tuple[int, float]:
	"""(window in months, prior weight k) from Pipeline Settings, with the documented defaults."""
	months = cint(frappe.db.get_single_value("Pipeline Settings", "win_rate_months"))
	weight = frappe.db.get_single_value("Pipeline Settings", "win_rate_prior_weight")
	return (
		months if months > 0 else DEFAULT_WIN_RATE_MONTHS,
		DEFAULT_PRIOR_WEIGHT if weight in (None, "") else max(flt(weight), 0.0),
	)


def get_win_rates(as_of=None, months: int | None = None) -> dict[str, dict]:
	"""`{sales_stage: {"won": int, "lost": int, "rate": float | None, "probability": float}}` for
	every Pipeline Sales Stage, learned from the opportunities that closed within `months` (Pipeline
	Settings `win_rate_months` by default) before `as_of` (now by default)."""
	as_of = get_datetime(as_of) if as_of else now_datetime()
	default_months, prior_weight = get_win_rate_settings()
	months = cint(months) if months else default_months
	if months <= 0:
		frappe.throw(frappe._("Months must be a positive number of months"), frappe.ValidationError)
	since = as_of - relativedelta(months=months)

	counts = count_closed_by_stage(since, as_of)
	rates = {}
	for stage in frappe.get_all(
		"Pipeline Sales Stage", fields=["name", "probability"], order_by="sort_order asc, name asc"
	):
		won, lost = counts.get(stage.name, (0, 0))
		rates[stage.name] = make_rate(won, lost, flt(stage.probability), prior_weight)
	return rates


def get_current_win_rates() -> dict[str, dict]:
	"""`get_win_rates()` as of now, as the Sales Pipeline Forecast report and the sales stage form
	show it, kept in the cache for up to CURRENT_WIN_RATES_CACHE_SECONDS.

	Learning the rates reads the history of every opportunity closed within the window: seconds on a
	site with hundreds of thousands of opportunities, where the forecast's own grouped query takes a
	fraction of a second. The key of the cached rates holds what they are learned from: the newest
	history row (every change of stage or status writes one, so a deal won or lost shows at once),
	the window and prior weight, every stage with its default probability, and today's date. What
	the key does not see, closings leaving the window in the course of the day and the history of a
	deleted opportunity, shows within the cache time."""
	months, prior_weight = get_win_rate_settings()
	stages = frappe.get_all(
		"Pipeline Sales Stage", fields=["name", "probability"], order_by="name asc", as_list=True
	)
	history = frappe.qb.DocType(HISTORY_DOCTYPE)
	newest_history_row = frappe.qb.from_(history).select(Max(history.name)).run()[0][0]
	fingerprint = frappe.as_json([nowdate(), months, prior_weight, newest_history_row, stages], indent=None)
	key = "sales_pipeline:current_win_rates:" + hashlib.sha256(fingerprint.encode()).hexdigest()
	rates = frappe.cache.get_value(key)
	if rates is None:
		rates = get_win_rates()
		frappe.cache.set_value(key, rates, expires_in_sec=CURRENT_WIN_RATES_CACHE_SECONDS)
	return rates


def make_rate(won: int, lost: int, default_probability: float, prior_weight: float) -> dict:
	closed = won + lost
	if closed + prior_weight:
		probability = 100 * (won + prior_weight * default_probability / 100) / (closed + prior_weight)
	else:
		probability = default_probability
	return {
		"won": won,
		"lost": lost,
		"rate": 100 * won / closed if closed else None,
		"probability": probability,
	}


def count_closed_by_stage(since, as_of) -> dict[str, tuple[int, int]]:
	"""{stage: (won, lost)} over the opportunities whose last closing on or before `as_of` falls
	after `since`. Each counts once for every stage its history shows it in up to that closing.

	A closing is a row where the opportunity became Converted, Lost or Closed (from an open status,
	or at its first row). It is the last one on or before `as_of` when no later row up to `as_of`
	has an open status: a closed opportunity only closes again after being reopened."""
	history = f"`tab{HISTORY_DOCTYPE}`"
	closed = ", ".join(frappe.db.escape(status) for status in CLOSED_STATUSES)
	won = ", ".join(frappe.db.escape(status) for status in WON_STATUSES)
	rows = frappe.db.sql(
		f"""
		select stages.sales_stage, closings.won, count(distinct stages.opportunity)
		from (
			select closing.opportunity, closing.changed_on as closed_on,
				closing.status in ({won}) as won
			from {history} closing
			where closing.changed_on > %(since)s and closing.changed_on <= %(as_of)s
				and closing.status in ({closed})
				and (closing.from_status is null or closing.from_status not in ({closed}))
				and not exists (
					select 1 from {history} reopened
					where reopened.opportunity = closing.opportunity
						and reopened.changed_on > closing.changed_on
						and reopened.changed_on <= %(as_of)s
						and reopened.status not in ({closed})
				)
		) closings
		join {history} stages
			on stages.opportunity = closings.opportunity
			and stages.changed_on <= closings.closed_on
		where stages.sales_stage is not null
		group by stages.sales_stage, closings.won
		""",
		{"as_of": as_of, "since": since},
	)
	counts: dict[str, list[int]] = {}
	for stage, is_won, count in rows:
		stage_counts = counts.setdefault(stage, [0, 0])
		stage_counts[0 if is_won else 1] += cint(count)
	return {stage: tuple(value) for stage, value in counts.items()}
