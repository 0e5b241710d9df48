# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""Open opportunities by expected closing month and sales stage: the amount, and the amount
weighted by probability (amount x probability / 100), with a chart of the weighted amount."""

import hashlib

import frappe
from frappe import _
from frappe.utils import flt, formatdate, getdate

from sales_pipeline.sales_pipeline.currency import get_currency_or_filters, get_default_currency
from sales_pipeline.sales_pipeline.report_filters import (
	get_date_filter,
	get_link_filter,
	get_text_filter,
	keep_interactive_when_failing,
)

REPORT_NAME = "Sales Pipeline Forecast"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
# The column of the opportunities without a sales stage (a stage name is never empty).
NO_STAGE = ""


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	opportunities = get_opportunities(filters)
	stages = get_stages(opportunities)
	columns = get_columns(stages, filters.currency)
	data = get_data(opportunities, stages, filters.currency)
	return columns, data, None, get_chart(data, stages, filters.currency), get_summary(opportunities, filters)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use. A filter of another type (a list where one value is
	expected), a currency or stage that does not exist, or a date that is not one, is refused with a
	message naming it, before any query runs."""
	filters = filters or {}
	if not isinstance(filters, dict):
		frappe.throw(_("The report filters must be an object"), frappe.ValidationError)
	valid = frappe._dict(
		from_date=get_date_filter(filters, "from_date", "Expected Closing From"),
		to_date=get_date_filter(filters, "to_date", "Expected Closing To"),
		currency=get_link_filter(filters, "currency", "Currency", "Currency"),
		sales_stage=get_link_filter(filters, "sales_stage", "Sales Stage", "Pipeline Sales Stage"),
		# A user who does not exist owns nothing: no need to tell whether one does.
		opportunity_owner=get_text_filter(filters, "opportunity_owner", "Opportunity Owner"),
	)
	if not valid.currency:
		valid.currency = get_default_currency()
	if valid.from_date and valid.to_date and valid.to_date < valid.from_date:
		frappe.throw(_("To Date cannot be before From Date"), frappe.ValidationError)
	return valid


def get_opportunities(filters) -> list[frappe._dict]:
	conditions = [
		["status", "in", OPEN_STATUSES],
		["expected_closing", "is", "set"],
	]
	if filters.from_date:
		conditions.append(["expected_closing", ">=", filters.from_date])
	if filters.to_date:
		conditions.append(["expected_closing", "<=", filters.to_date])
	if filters.opportunity_owner:
		conditions.append(["opportunity_owner", "=", filters.opportunity_owner])
	if filters.sales_stage:
		conditions.append(["sales_stage", "=", filters.sales_stage])
	return frappe.get_list(
		"Pipeline Opportunity",
		filters=conditions,
		or_filters=get_currency_or_filters(filters.currency),
		fields=["name", "expected_closing", "sales_stage", "opportunity_amount", "probability"],
		limit_page_length=0,
	)


def get_stages(opportunities) -> list[str]:
	"""The stages present, in their sort order; opportunities without a stage come last."""
	present = {row.sales_stage or NO_STAGE for row in opportunities}
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


def get_columns(stages, currency) -> list[dict]:
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


def get_data(opportunities, stages, currency) -> list[dict]:
	"""One row a month (the weighted amount of each stage, totals)."""
	months: dict[str, dict] = {}
	for row in sorted(opportunities, key=lambda row: getdate(row.expected_closing)):
		closing = getdate(row.expected_closing)
		key = closing.strftime("%Y-%m")
		month = months.setdefault(
			key,
			{
				"month": formatdate(closing.replace(day=1), "MMM yyyy"),
				"weighted_amount": 0.0,
				"amount": 0.0,
				"opportunities": 0,
				"currency": currency,
				**{stage_key(stage): 0.0 for stage in stages},
			},
		)
		weighted = flt(row.opportunity_amount) * flt(row.probability) / 100
		month[stage_key(row.sales_stage or NO_STAGE)] += weighted
		month["weighted_amount"] += weighted
		month["amount"] += flt(row.opportunity_amount)
		month["opportunities"] += 1
	return list(months.values())


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


def get_summary(opportunities, filters) -> list[dict]:
	weighted = sum(flt(row.opportunity_amount) * flt(row.probability) / 100 for row in opportunities)
	amount = sum(flt(row.opportunity_amount) for row in opportunities)
	return [
		{"value": len(opportunities), "label": _("Open Opportunities"), "datatype": "Int"},
		{
			"value": amount,
			"label": _("Pipeline Amount"),
			"datatype": "Currency",
			"currency": filters.currency,
		},
		{
			"value": weighted,
			"label": _("Weighted Forecast"),
			"datatype": "Currency",
			"currency": filters.currency,
			"indicator": "Green",
		},
	]
