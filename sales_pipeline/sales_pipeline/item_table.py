"""The items table shared by opportunities, quotations and supplier quotations."""

import frappe
from frappe import _
from frappe.utils import flt

ITEM_DETAIL_FIELDS = ("item_name", "description", "uom")


def validate_items(doc) -> None:
	"""Refuse a row whose quantity is not above zero or whose rate is negative."""
	for row in doc.get("items"):
		if flt(row.qty) <= 0:
			frappe.throw(
				_("Row #{0}: {1} must be greater than 0 for item {2}").format(
					row.idx, _(row.meta.get_label("qty")), frappe.bold(row.item_code)
				),
				frappe.ValidationError,
				title=_("Invalid Quantity"),
			)
		if flt(row.rate) < 0:
			frappe.throw(
				_("Row #{0}: {1} cannot be negative for item {2}").format(
					row.idx, _(row.meta.get_label("rate")), frappe.bold(row.item_code)
				),
				frappe.ValidationError,
				title=_("Invalid Rate"),
			)


def set_item_details(doc, use_standard_rate: bool = True) -> None:
	"""Fill item name, description and UOM (and the standard rate when no rate is given)
	from the Pipeline Item where the row leaves them empty, on a new row or one whose item changed:
	a row saved before got its item's details then, and a save that leaves the rows as they were
	reads no item."""
	fields = [*ITEM_DETAIL_FIELDS, "standard_rate"]
	previous = doc.get_doc_before_save()
	stored_items = {row.name: row.item_code for row in previous.get("items")} if previous else {}
	rows = [
		row
		for row in doc.get("items")
		if row.item_code
		and stored_items.get(row.name) != row.item_code
		and lacks_details(row, use_standard_rate)
	]
	if not rows:
		return
	item_codes = list({row.item_code for row in rows})
	items = {
		item.name: item
		for item in frappe.get_all(
			"Pipeline Item", filters={"name": ("in", item_codes)}, fields=["name", *fields]
		)
	}
	for row in rows:
		item = items.get(row.item_code)
		if not item:
			continue
		for fieldname in ITEM_DETAIL_FIELDS:
			if not row.get(fieldname):
				row.set(fieldname, item.get(fieldname) or (item.name if fieldname == "item_name" else None))
		if use_standard_rate and row.rate is None:
			row.rate = item.standard_rate


def lacks_details(row, use_standard_rate: bool) -> bool:
	return any(not row.get(fieldname) for fieldname in ITEM_DETAIL_FIELDS) or (
		use_standard_rate and row.rate is None
	)


def set_amounts_and_total(doc) -> None:
	"""amount = qty x rate on every row, total = the sum of the amounts; never taken from the client."""
	total = 0
	for row in doc.get("items"):
		row.amount = flt(flt(row.qty) * flt(row.rate), row.precision("amount"))
		total += row.amount
	doc.total = flt(total, doc.precision("total"))
