"""Field checks several pipeline DocTypes share. Each raises frappe.ValidationError with a
message that names the field."""

import math

import frappe
from frappe import _
from frappe.database.schema import get_definition
from frappe.utils import cint, flt, fmt_money, getdate, validate_email_address


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


# The fieldtypes stored in a numeric column. What each column holds comes from frappe.db.type_map:
# decimal(21,9) keeps 12 digits before the point, int(11) is a 32-bit integer.
NUMERIC_FIELDTYPES = ("Currency", "Float", "Percent", "Int", "Check")


def get_column_bounds(df) -> tuple[float, int | None]:
	"""(limit, scale) of the database column of `df`: the column holds the numbers whose absolute
	value, rounded to `scale` decimals (truncated to an integer when scale is None), is below limit."""
	column_type = get_definition(df.fieldtype, precision=df.precision, length=df.length) or ""
	kind, _sep, size = column_type.partition("(")
	if kind == "decimal":
		digits, scale = (cint(part) for part in size.rstrip(")").split(","))
		return 10.0 ** (digits - scale), scale
	if kind == "bigint":
		return 2.0**63, None
	return 2.0**31, None


def validate_number_bounds(doc, allow_negative: tuple[str, ...] = ()) -> None:
	"""Refuse, on each child row and on the document, a number its database column cannot hold
	(MariaDB would answer with an error, a 500), one that is no number at all (NaN, infinity), and a
	negative one unless its fieldname is in `allow_negative`. Run it after the derived values
	(amounts, totals) are set: qty x rate can overflow where neither does. The rows come first, so
	that the message names the rate that made the total too large."""
	for row in (*doc.get_all_children(), doc):
		for df in row.meta.get("fields", {"fieldtype": ("in", NUMERIC_FIELDTYPES)}):
			value = row.get(df.fieldname)
			if value in (None, ""):
				continue
			label = _(row.meta.get_label(df.fieldname))
			message = get_number_error(flt(value), df, label, df.fieldname in allow_negative)
			if message:
				if row is not doc:
					message = _("Row #{0}: {1}").format(row.idx, message)
				frappe.throw(message, frappe.ValidationError, title=_("Invalid Number"))


def get_number_error(number: float, df, label: str, negative_allowed: bool) -> str | None:
	if not math.isfinite(number):
		return _("{0} is not a number").format(label)
	limit, scale = get_column_bounds(df)
	stored = round(number, scale) if scale is not None else int(number)
	if abs(stored) >= limit:
		return _("{0} is too large: it must be less than {1}").format(label, fmt_money(limit, precision=0))
	if number < 0 and not negative_allowed:
		return _("{0} cannot be negative").format(label)
	return None
