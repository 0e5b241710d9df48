"""Assertions the test modules share."""

import frappe
import pytest


def assert_refused(doc, message_part: str, doctype: str | None = None):
	"""Saving (or inserting) `doc` raises a ValidationError naming `message_part`; no row is added
	and an existing row keeps what the database had."""
	doctype = doctype or doc.doctype
	count_before = frappe.db.count(doctype)
	is_stored = bool(doc.name) and frappe.db.exists(doctype, doc.name)
	stored_before = frappe.get_doc(doctype, doc.name).as_dict() if is_stored else None
	with pytest.raises(frappe.ValidationError) as raised:
		doc.save()
	assert message_part.lower() in str(raised.value).lower()
	assert frappe.db.count(doctype) == count_before
	if stored_before is not None:
		stored_after = frappe.get_doc(doctype, doc.name).as_dict()
		assert stored_after == stored_before
