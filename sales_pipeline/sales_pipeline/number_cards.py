"""The methods of the workspace's Custom number cards."""

import frappe
from frappe.utils import flt, get_datetime, nowdate

from sales_pipeline.sales_pipeline.currency import get_currency_or_filters, get_default_currency
from sales_pipeline.sales_pipeline.follow_up import CLOSED_STATUSES, FOLLOW_UP_DOCTYPES

OPEN_OPPORTUNITY_STATUSES = ("Open", "Replied", "Quotation")


@frappe.whitelist()
def get_open_pipeline_amount(filters: str | dict | None = None) -> dict:
	"""The "Open Pipeline Amount (Default Currency)" card: the amount of the open opportunities the
	user may read, in the site's default currency only, since amounts in different currencies do not
	add up. The desk shows the value with that currency's symbol. The card has no filters of its
	own; `filters` (the desk sends them to every card) is not used."""
	frappe.has_permission("Pipeline Opportunity", "read", throw=True)
	currency = get_default_currency()
	totals = frappe.get_list(
		"Pipeline Opportunity",
		filters={"status": ("in", OPEN_OPPORTUNITY_STATUSES)},
		or_filters=get_currency_or_filters(currency),
		fields=["sum(opportunity_amount) as amount"],
	)
	return {
		"value": flt(totals[0].amount) if totals else 0.0,
		"fieldtype": "Currency",
		"options": currency,
		# A click on the card lists the opportunities it adds up.
		"route": ["List", "Pipeline Opportunity"],
		"route_options": {"status": ["in", list(OPEN_OPPORTUNITY_STATUSES)], "currency": currency},
	}


@frappe.whitelist()
def get_my_overdue_follow_ups(filters: str | dict | None = None) -> dict:
	"""The "My Overdue Follow-ups" card: the user's open follow-ups on leads and opportunities they
	may read whose day passed (in the site's time zone) without being done or moved. A click opens
	the Pipeline Follow-ups report, which lists them as Overdue. `filters` is not used."""
	if not any(frappe.has_permission(doctype, "read") for doctype in FOLLOW_UP_DOCTYPES):
		frappe.throw(frappe._("Not permitted"), frappe.PermissionError)
	today_start = get_datetime(nowdate())
	count = 0
	for doctype in FOLLOW_UP_DOCTYPES:
		if not frappe.has_permission(doctype, "read"):
			continue
		count += frappe.get_list(
			doctype,
			filters=[
				[doctype, "contact_by", "=", frappe.session.user],
				[doctype, "contact_date", "<", today_start],
				[doctype, "status", "not in", CLOSED_STATUSES[doctype]],
			],
			fields=["count(name) as count"],
		)[0].count
	return {
		"value": count,
		"fieldtype": "Int",
		"route": ["query-report", "Pipeline Follow-ups"],
	}
