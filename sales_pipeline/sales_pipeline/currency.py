"""Currencies in the app: the site's default currency, and the Currency link search of its forms
and reports.

Frappe gives read permission on Currency to a few roles only (System Manager, Accounts Manager,
Accounts User, Sales User, Purchase User: frappe/geo/doctype/currency/currency.json). A user with
Sales Manager and not Sales User therefore cannot pick a currency through Frappe's own link search
("No permission to read Currency") nor have it validated ("You do not have Read or Select
Permissions for Currency"). Granting the role a permission on Currency would change Frappe's
DocType (and ERPNext's role, where ERPNext made it) on every site the app is installed on; instead
the app's Currency fields search through `search_currencies` below, which lets anyone who may read a
pipeline document pick an enabled currency. Saving still checks that the currency exists (Frappe's
link validation on save reads the database, not the user's permissions).
"""

import frappe
from frappe import _

# The app's DocTypes with a Currency link field.
CURRENCY_DOCTYPES = (
	"Pipeline Opportunity",
	"Pipeline Quotation",
	"Pipeline Supplier Quotation",
	"Pipeline Customer",
)


def get_default_currency() -> str | None:
	"""The site's default currency: System Settings' currency (ERPNext's Global Defaults set the
	same default)."""
	return frappe.db.get_default("currency")


def get_currency_or_filters(currency: str | None) -> list[list]:
	"""`or_filters` (frappe.get_list) for the documents in `currency`. A document without a
	currency shows its amounts in the site's default currency (Frappe's formatter falls back to it),
	so it counts as being in the default currency."""
	or_filters = [["currency", "=", currency]]
	if currency == get_default_currency():
		or_filters.append(["currency", "is", "not set"])
	return or_filters


def get_currency_filter(currency: str | None) -> list:
	"""The same documents as `get_currency_or_filters`, as one condition (`[fieldname, operator,
	value]`) that can be combined with other `or_filters` or sent as a list view filter, where
	conditions can only be combined with "and". `in` with an empty value matches a currency that is
	empty or not set (frappe.get_list compares `ifnull(currency, '')`)."""
	if currency == get_default_currency():
		return ["currency", "in", [currency, ""]]
	return ["currency", "=", currency]


def check_can_pick_currency() -> None:
	if not any(frappe.has_permission(doctype, "read") for doctype in CURRENCY_DOCTYPES):
		frappe.throw(_("Not permitted to pick a currency"), frappe.PermissionError)


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def search_currencies(
	doctype: str, txt: str, searchfield: str, start: int, page_len: int, filters: dict | None = None
) -> list:
	"""Link search (`frm.set_query(..., {query: ...})`) over the enabled currencies, by code or name.
	The desk already sends every enabled currency to every desk user (frappe.boot), so listing them
	tells a sales user nothing new. `filters` from the client are not used."""
	check_can_pick_currency()
	txt = f"%{txt or ''}%"
	return frappe.get_all(
		"Currency",
		filters={"enabled": 1},
		or_filters={"name": ("like", txt), "currency_name": ("like", txt)},
		fields=["name", "currency_name"],
		order_by="name asc",
		start=start,
		page_length=page_len,
		as_list=True,
	)
