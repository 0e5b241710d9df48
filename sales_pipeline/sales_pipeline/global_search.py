"""Leads, customers, suppliers, opportunities and quotations in the awesomebar and Frappe's global
search, by name, company or customer name, contact name and email (the fields marked
`in_global_search` in their DocTypes).

Frappe searches only the DocTypes listed in Global Search Settings, which it fills from the
`global_search_doctypes` hook only in the setup wizard or when an administrator resets it. So the
app adds its DocTypes there itself on install and migrate, keeping what the administrator set, and
indexes the records that exist already.
"""

import frappe
from frappe.utils.global_search import delete_global_search_records_for_doctype, rebuild_for_doctype
from frappe.utils.global_search import search as frappe_global_search

SEARCHABLE_DOCTYPES = (
	"Pipeline Lead",
	"Pipeline Customer",
	"Pipeline Opportunity",
	"Pipeline Quotation",
	"Pipeline Supplier",
)


def allow_in_global_search() -> None:
	"""after_install / after_migrate: list the app's DocTypes in Global Search Settings (those
	missing, after the ones already there) and index their existing records."""
	settings = frappe.get_single("Global Search Settings")
	listed = {row.document_type for row in settings.allowed_in_global_search}
	missing = [doctype for doctype in SEARCHABLE_DOCTYPES if doctype not in listed]
	if not missing:
		return
	for doctype in missing:
		settings.append("allowed_in_global_search", {"document_type": doctype})
	settings.save(ignore_permissions=True)
	for doctype in missing:
		rebuild_for_doctype(doctype)


def remove_from_global_search() -> None:
	"""before_uninstall: nothing in Global Search Settings or the search index may point at the
	DocTypes the uninstall drops."""
	settings = frappe.get_single("Global Search Settings")
	kept = [row for row in settings.allowed_in_global_search if row.document_type not in SEARCHABLE_DOCTYPES]
	if len(kept) != len(settings.allowed_in_global_search):
		settings.set("allowed_in_global_search", kept)
		settings.save(ignore_permissions=True)
	for doctype in SEARCHABLE_DOCTYPES:
		delete_global_search_records_for_doctype(doctype)


@frappe.whitelist()
def search(text: str, start: int = 0, limit: int = 20, doctype: str = "") -> list[dict]:
	"""Frappe's global search (the awesomebar's "Search for ..."), less the app's records the user
	may not read. Frappe checks only that the user can read the DocType, so a user whom a User
	Permission restricts to some customers would see the other customers' leads, deals and emails
	in the results. Registered over `frappe.utils.global_search.search` in hooks.py; the results of
	every other DocType pass through untouched."""
	results = frappe_global_search(text, start=start, limit=limit, doctype=doctype)
	return [
		row
		for row in results
		if row.doctype not in SEARCHABLE_DOCTYPES or frappe.has_permission(row.doctype, "read", doc=row.name)
	]
