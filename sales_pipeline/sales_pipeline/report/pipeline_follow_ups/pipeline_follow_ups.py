# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""A user's follow-ups due today and overdue, from leads and opportunities."""

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime, nowdate

from sales_pipeline.sales_pipeline.follow_up import CLOSED_STATUSES, FOLLOW_UP_DOCTYPES
from sales_pipeline.sales_pipeline.report_filters import (
	get_check_filter,
	get_filters,
	get_text_filter,
	keep_interactive_when_failing,
)

REPORT_NAME = "Pipeline Follow-ups"


@keep_interactive_when_failing(REPORT_NAME)
def execute(filters=None):
	filters = validate_filters(filters)
	return get_columns(), get_data(filters)


def validate_filters(filters) -> frappe._dict:
	"""The filters in the types the queries use; one of another type (a list where a user is
	expected) is refused with a message naming it, before any query runs."""
	filters = get_filters(filters)
	return frappe._dict(
		user=get_text_filter(filters, "user", "Next Contact By") or frappe.session.user,
		show_overdue=get_check_filter(filters, "show_overdue", "Show Overdue", default=1),
	)


def get_columns() -> list[dict]:
	return [
		{"fieldname": "due", "label": _("Due"), "fieldtype": "Data", "width": 90},
		{"fieldname": "contact_date", "label": _("Next Contact Date"), "fieldtype": "Datetime", "width": 170},
		# Data, not a Link to DocType: sales users may not read DocType records.
		{"fieldname": "reference_doctype", "label": _("Document Type"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "reference_name",
			"label": _("Document"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 160,
		},
		{"fieldname": "title", "label": _("Customer / Lead"), "fieldtype": "Data", "width": 200},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 110},
		{"fieldname": "to_discuss", "label": _("To Discuss"), "fieldtype": "Small Text", "width": 260},
	]


def get_data(filters) -> list[dict]:
	user = filters.user
	today_start = get_datetime(nowdate())
	tomorrow_start = add_days(today_start, 1)
	show_overdue = filters.show_overdue

	rows = []
	for doctype in FOLLOW_UP_DOCTYPES:
		if not frappe.has_permission(doctype, "read"):
			continue
		conditions = [
			[doctype, "contact_by", "=", user],
			[doctype, "contact_date", "<", tomorrow_start],
			[doctype, "status", "not in", CLOSED_STATUSES[doctype]],
		]
		if not show_overdue:
			conditions.append([doctype, "contact_date", ">=", today_start])
		for row in frappe.get_list(
			doctype,
			filters=conditions,
			fields=["name", "title", "contact_date", "status", "to_discuss"],
			limit_page_length=0,
		):
			rows.append(
				{
					"due": _("Today") if row.contact_date >= today_start else _("Overdue"),
					"contact_date": row.contact_date,
					"reference_doctype": doctype,
					"reference_name": row.name,
					"title": row.title,
					"status": row.status,
					"to_discuss": row.to_discuss,
				}
			)
	return sorted(rows, key=lambda row: row["contact_date"])
