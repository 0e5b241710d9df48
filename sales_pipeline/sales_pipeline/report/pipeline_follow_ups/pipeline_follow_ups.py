# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""A user's follow-ups due today and overdue, from leads and opportunities."""

import frappe
from frappe import _
from frappe.utils import add_days, cint, get_datetime, nowdate

from sales_pipeline.sales_pipeline.follow_up import CLOSED_STATUSES, FOLLOW_UP_DOCTYPES


def execute(filters=None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(filters)


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
	user = filters.get("user") or frappe.session.user
	today_start = get_datetime(nowdate())
	tomorrow_start = add_days(today_start, 1)
	show_overdue = cint(filters.get("show_overdue", 1))

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
