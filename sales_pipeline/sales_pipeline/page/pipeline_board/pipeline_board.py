# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""The Pipeline Board: open opportunities by sales stage, with each column's totals.

Everything the user sees is read through `frappe.get_list`, so roles, shares and User Permissions
(on the party's `lead` / `customer` Link fields) hold for the cards and for the totals alike. The
totals come from one grouped query; cards load a page at a time in a fixed order that ends with
the unique `name`, so paging never skips or repeats a card.
"""

import datetime
import json

import frappe
from frappe import _
from frappe.utils import cint, date_diff, escape_html, flt, get_datetime, getdate, now_datetime, nowdate

from sales_pipeline.sales_pipeline.currency import get_currency_or_filters, get_default_currency
from sales_pipeline.sales_pipeline.locking import retry_on_deadlock

DOCTYPE = "Pipeline Opportunity"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
PARTY_DOCTYPES = ("Pipeline Lead", "Pipeline Customer")
MAX_PAGE_LENGTH = 100
DEFAULT_STALE_DEAL_DAYS = 30

# Cards in a column: the nearest expected closing first; `name` makes the order total.
CARD_ORDER = "`tabPipeline Opportunity`.`expected_closing` asc, `tabPipeline Opportunity`.`name` asc"
CARD_FIELDS = [
	"name",
	"title",
	"customer_name",
	"opportunity_from",
	"party_name",
	"status",
	"sales_stage",
	"sales_stage_since",
	"creation",
	"opportunity_amount",
	"probability",
	"currency",
	"expected_closing",
	"opportunity_owner",
	"contact_by",
	"contact_date",
]
TOTAL_FIELDS = [
	"sales_stage",
	"count(`tabPipeline Opportunity`.`name`) as count",
	"sum(`tabPipeline Opportunity`.`opportunity_amount`) as amount",
	"sum(`tabPipeline Opportunity`.`opportunity_amount` * `tabPipeline Opportunity`.`probability` / 100)"
	" as weighted_amount",
]
TEXT_FILTERS = ("currency", "opportunity_owner", "opportunity_from", "party_name")
DATE_FILTERS = ("expected_closing_from", "expected_closing_to")


@frappe.whitelist()
def get_board(filters: dict | str | None = None, page_length: int = 20) -> dict:
	"""Every sales stage in its sort order with the count, amount and weighted amount of the open
	opportunities the user may read in one currency, and the first page of cards of each."""
	check_can_read()
	filters = parse_filters(filters)
	page_length = parse_page_length(page_length)
	totals = get_totals(filters)
	stages = get_stages(totals)

	columns = [make_column(stage.name, stage.probability, totals.get(stage.name)) for stage in stages]
	if None in totals:
		columns.append(make_column(None, None, totals[None]))
	for column in columns:
		column["cards"] = get_cards(column["sales_stage"], filters, 0, page_length) if column["count"] else []

	return {
		"currency": filters.currency,
		"columns": columns,
		"can_write": bool(frappe.has_permission(DOCTYPE, "write")),
		"stale_deal_days": get_stale_deal_days(),
	}


@frappe.whitelist()
def get_column(
	sales_stage: str | None = None, filters: dict | str | None = None, start: int = 0, page_length: int = 20
) -> dict:
	"""The count of one column and its cards from `start`, in the board's order. An empty
	`sales_stage` is the column of open opportunities without a stage."""
	check_can_read()
	filters = parse_filters(filters)
	sales_stage = parse_sales_stage(sales_stage, "sales_stage") if sales_stage else None
	start = parse_start(start)
	page_length = parse_page_length(page_length)
	totals = get_totals(filters, sales_stage=sales_stage)
	return {
		"count": totals.get(sales_stage, {}).get("count", 0),
		"cards": get_cards(sales_stage, filters, start, page_length),
	}


@frappe.whitelist(methods=["POST"])
@retry_on_deadlock
def move_to_stage(opportunity: str, sales_stage: str) -> dict:
	"""Move an open opportunity to another sales stage and return its card. The probability
	follows the new stage's default unless it was set by hand (it differs from the old stage's
	default). A transaction picked as a deadlock victim is run again from the stored document."""
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to move an opportunity"), frappe.PermissionError)
	name = parse_text(opportunity, "opportunity")
	if not name or not frappe.db.exists(DOCTYPE, name):
		refuse("opportunity", _("opportunity {0} does not exist").format(escape_html(name or "")))
	doc = frappe.get_doc(DOCTYPE, name)
	doc.lock_for_update()
	doc.check_permission("write")
	new_stage = parse_sales_stage(sales_stage, "sales_stage")
	if doc.status not in OPEN_STATUSES:
		frappe.throw(
			_("Opportunity {0} is {1}: only an open opportunity can change its sales stage").format(
				frappe.bold(doc.name), _(doc.status)
			),
			frappe.ValidationError,
			title=_("Cannot Move"),
		)
	if doc.sales_stage != new_stage:
		old_default = frappe.db.get_value("Pipeline Sales Stage", doc.sales_stage, "probability")
		if not doc.probability or (doc.sales_stage and flt(doc.probability) == flt(old_default)):
			doc.probability = frappe.db.get_value("Pipeline Sales Stage", new_stage, "probability")
		doc.sales_stage = new_stage
		doc.save()
	return make_card(doc.as_dict(), get_stale_deal_days())


def check_can_read() -> None:
	"""Roles or a share give read on opportunities; Guest and users without either are refused."""
	if frappe.session.user == "Guest" or not frappe.has_permission(DOCTYPE, "read"):
		frappe.throw(_("Not permitted to read opportunities"), frappe.PermissionError)


def refuse(argument: str, reason: str):
	frappe.throw(
		_("{0}: {1}").format(frappe.bold(argument), reason),
		frappe.ValidationError,
		title=_("Invalid Argument"),
	)


def parse_text(value, argument: str) -> str | None:
	if value in (None, ""):
		return None
	if not isinstance(value, str):
		refuse(argument, _("a single value is expected"))
	return value


def parse_sales_stage(value, argument: str) -> str:
	stage = parse_text(value, argument)
	if not stage or not frappe.db.exists("Pipeline Sales Stage", stage):
		refuse(argument, _("sales stage {0} does not exist").format(escape_html(stage or "")))
	return stage


def parse_start(value) -> int:
	if isinstance(value, bool) or cint(value) != value or cint(value) < 0:
		refuse("start", _("a whole number of 0 or more is expected"))
	return cint(value)


def parse_page_length(value) -> int:
	if isinstance(value, bool) or cint(value) != value or not 1 <= cint(value) <= MAX_PAGE_LENGTH:
		refuse("page_length", _("a whole number from 1 to {0} is expected").format(MAX_PAGE_LENGTH))
	return cint(value)


def parse_filters(filters) -> frappe._dict:
	"""The board's filters, each checked; an unknown filter, a list where a value is expected or a
	date that is not a date is refused with the filter's name. The currency defaults to the site's."""
	if isinstance(filters, str):
		try:
			filters = json.loads(filters) if filters.strip() else {}
		except ValueError:
			refuse("filters", _("a JSON object is expected"))
	filters = filters or {}
	if not isinstance(filters, dict):
		refuse("filters", _("a JSON object is expected"))
	unknown = set(filters) - set(TEXT_FILTERS) - set(DATE_FILTERS)
	if unknown:
		refuse("filters", _("unknown filter {0}").format(escape_html(", ".join(sorted(map(str, unknown))))))

	parsed = frappe._dict({key: parse_text(filters.get(key), key) for key in TEXT_FILTERS})
	for key in DATE_FILTERS:
		parsed[key] = parse_date(filters.get(key), key)
	if parsed.opportunity_from and parsed.opportunity_from not in PARTY_DOCTYPES:
		refuse("opportunity_from", _("Pipeline Lead or Pipeline Customer is expected"))
	if parsed.currency and not frappe.db.exists("Currency", parsed.currency):
		refuse("currency", _("currency {0} does not exist").format(escape_html(parsed.currency)))
	if (
		parsed.expected_closing_from
		and parsed.expected_closing_to
		and parsed.expected_closing_to < parsed.expected_closing_from
	):
		refuse("expected_closing_to", _("the range ends before it starts"))
	parsed.currency = parsed.currency or get_default_currency()
	return parsed


def parse_date(value, argument: str) -> datetime.date | None:
	text = parse_text(value, argument)
	if text is None:
		return None
	try:
		return datetime.date.fromisoformat(text)
	except ValueError:
		refuse(argument, _("a date in the form YYYY-MM-DD is expected"))


def get_conditions(filters, sales_stage=False) -> tuple[list, list]:
	"""`filters` and `or_filters` for frappe.get_list. `sales_stage` False means every stage, None
	the opportunities without a stage. An opportunity without a currency counts in the site's
	default currency (get_currency_or_filters)."""
	conditions = [["status", "in", OPEN_STATUSES]]
	for key in ("opportunity_owner", "opportunity_from", "party_name"):
		if filters.get(key):
			conditions.append([key, "=", filters[key]])
	if filters.expected_closing_from:
		conditions.append(["expected_closing", ">=", filters.expected_closing_from])
	if filters.expected_closing_to:
		conditions.append(["expected_closing", "<=", filters.expected_closing_to])
	if sales_stage is None:
		conditions.append(["sales_stage", "is", "not set"])
	elif sales_stage:
		conditions.append(["sales_stage", "=", sales_stage])
	return conditions, get_currency_or_filters(filters.currency)


def get_totals(filters, sales_stage=False) -> dict:
	"""{sales stage or None: {count, amount, weighted_amount}} from one grouped query."""
	conditions, or_conditions = get_conditions(filters, sales_stage)
	rows = frappe.get_list(
		DOCTYPE,
		filters=conditions,
		or_filters=or_conditions,
		fields=TOTAL_FIELDS,
		group_by="`tabPipeline Opportunity`.`sales_stage`",
		order_by="`tabPipeline Opportunity`.`sales_stage` asc",
		limit_page_length=0,
	)
	totals = {}
	for row in rows:
		# An empty stage may be stored as NULL or as "": both are the column without a stage.
		total = totals.setdefault(
			row.sales_stage or None, {"count": 0, "amount": 0.0, "weighted_amount": 0.0}
		)
		total["count"] += cint(row.count)
		total["amount"] += flt(row.amount)
		total["weighted_amount"] += flt(row.weighted_amount)
	return totals


def get_stages(present) -> list:
	"""The sales stages the user may read, in their sort order. A user who reads opportunities (a
	share) but not the stages gets the columns of the stages those opportunities are in: their
	names are on the opportunities already."""
	arguments = {"fields": ["name", "probability"], "order_by": "sort_order asc, name asc"}
	if frappe.has_permission("Pipeline Sales Stage", "read"):
		return frappe.get_list("Pipeline Sales Stage", limit_page_length=0, **arguments)
	names = [name for name in present if name]
	return (
		frappe.get_all("Pipeline Sales Stage", filters={"name": ("in", names)}, **arguments) if names else []
	)


def make_column(sales_stage, probability, total) -> dict:
	total = total or {}
	return {
		"sales_stage": sales_stage,
		"default_probability": flt(probability),
		"count": total.get("count", 0),
		"amount": total.get("amount", 0.0),
		"weighted_amount": total.get("weighted_amount", 0.0),
	}


def get_cards(sales_stage, filters, start: int, page_length: int) -> list[dict]:
	conditions, or_conditions = get_conditions(filters, sales_stage)
	rows = frappe.get_list(
		DOCTYPE,
		filters=conditions,
		or_filters=or_conditions,
		fields=CARD_FIELDS,
		order_by=CARD_ORDER,
		limit_start=start,
		limit_page_length=page_length,
	)
	stale_deal_days = get_stale_deal_days()
	return [make_card(row, stale_deal_days) for row in rows]


def make_card(row, stale_deal_days: int) -> dict:
	days_in_stage = get_days_in_stage(row.get("sales_stage_since") or row.get("creation"))
	card = {field: row.get(field) for field in CARD_FIELDS if field != "creation"}
	card.update(
		{
			"opportunity_amount": flt(row.get("opportunity_amount")),
			"probability": flt(row.get("probability")),
			"follow_up_state": get_follow_up_state(row.get("contact_date")),
			"days_in_stage": days_in_stage,
			"stale": days_in_stage > stale_deal_days,
		}
	)
	return card


def get_follow_up_state(contact_date) -> str:
	"""overdue (its moment has passed), today (later today), planned (a later day) or none, in the
	site's time zone: the one `contact_date` is stored in and `now_datetime` returns."""
	if not contact_date:
		return "none"
	contact_date = get_datetime(contact_date)
	now = now_datetime()
	if contact_date < now:
		return "overdue"
	if contact_date.date() == now.date():
		return "today"
	return "planned"


def get_days_in_stage(since) -> int:
	"""Whole days from the day the opportunity entered its stage to today, in the site's time zone."""
	if not since:
		return 0
	return max(date_diff(nowdate(), getdate(since)), 0)


def get_stale_deal_days() -> int:
	"""Pipeline Settings' threshold; a Single's new field reads empty until the settings are saved."""
	return cint(frappe.db.get_single_value("Pipeline Settings", "stale_deal_days")) or DEFAULT_STALE_DEAL_DAYS
