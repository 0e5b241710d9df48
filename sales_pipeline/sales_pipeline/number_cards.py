"""The methods of the workspace's Custom number cards."""

import frappe
from frappe.utils import flt

from sales_pipeline.sales_pipeline.currency import get_currency_or_filters, get_default_currency

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
