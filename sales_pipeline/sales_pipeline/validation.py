"""Field checks several pipeline DocTypes share. Each raises frappe.ValidationError with a
message that names the field."""

import frappe
from frappe import _
from frappe.utils import flt, getdate, validate_email_address


def validate_email_field(doc, fieldname: str = "email_id") -> None:
	email = (doc.get(fieldname) or "").strip()
	doc.set(fieldname, email or None)
	if email and not validate_email_address(email):
		frappe.throw(
			_("{0}: {1} is not a valid email address").format(
				_(doc.meta.get_label(fieldname)), frappe.bold(email)
			),
			frappe.ValidationError,
			title=_("Invalid Email"),
		)


def validate_date_order(doc, start_field: str, end_field: str) -> None:
	"""Refuse an end date (expected closing, valid till) that lies before the start date."""
	start, end = doc.get(start_field), doc.get(end_field)
	if start and end and getdate(end) < getdate(start):
		frappe.throw(
			_("{0} cannot be before {1}").format(
				_(doc.meta.get_label(end_field)), _(doc.meta.get_label(start_field))
			),
			frappe.ValidationError,
			title=_("Invalid Date"),
		)


def validate_percentage(doc, fieldname: str) -> None:
	value = doc.get(fieldname)
	if value in (None, ""):
		return
	if not 0 <= flt(value) <= 100:
		frappe.throw(
			_("{0} must be between 0 and 100").format(_(doc.meta.get_label(fieldname))),
			frappe.ValidationError,
			title=_("Invalid Percentage"),
		)


def validate_not_taken(doc, fieldname: str) -> None:
	"""Refuse a value another document of the same DocType already has (a lead's email, a
	customer's or supplier's name). Case-insensitive, as the database compares."""
	value = doc.get(fieldname)
	if not value:
		return
	filters = {fieldname: value}
	if not doc.is_new():
		filters["name"] = ("!=", doc.name)
	other = frappe.db.get_value(doc.doctype, filters, "name")
	if other:
		frappe.throw(
			_("{0}: {1} is already used by {2}").format(
				_(doc.meta.get_label(fieldname)), frappe.bold(value), frappe.get_desk_link(doc.doctype, other)
			),
			frappe.ValidationError,
			title=_("Duplicate {0}").format(_(doc.meta.get_label(fieldname))),
		)
