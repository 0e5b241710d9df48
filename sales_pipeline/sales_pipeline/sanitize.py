"""Sanitising what users typed into documents that are saved already submitted.

Frappe runs its HTML sanitiser on every save, except for documents whose docstatus is 1 (and
fields not allowed on submit): it assumes a submitted document was sanitised while it was a
draft. A quotation inserted with `"docstatus": 1` over REST, or submitted through `savedocs`
with changed values, never was.
"""

from frappe.utils.html_utils import sanitize_html

# Field types whose text Frappe sanitises on a draft save.
TEXT_FIELDTYPES = ("Data", "Small Text", "Text", "Long Text", "Text Editor", "HTML Editor", "Markdown Editor")


def sanitize_submitted_document(doc) -> None:
	"""Run the sanitiser Frappe skips on a submitted document over it and its child rows."""
	if doc.docstatus != 1:
		return
	for row in (doc, *doc.get_all_children()):
		sanitize_text_fields(row)


def sanitize_text_fields(doc) -> None:
	for df in doc.meta.get("fields", {"fieldtype": ("in", TEXT_FIELDTYPES)}):
		value = doc.get(df.fieldname)
		if not isinstance(value, str) or ("<" not in value and ">" not in value):
			continue
		if df.ignore_xss_filter or df.options == "Email":
			continue
		doc.set(df.fieldname, sanitize_html(value, linkify=df.fieldtype == "Text Editor"))
