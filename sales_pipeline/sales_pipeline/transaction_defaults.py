"""Defaults Pipeline Settings gives new transactions, read from the settings' cached document
(a mapper or a save reads no settings row; saving the settings clears the cache)."""

import frappe
from frappe.utils import add_days


def set_default_valid_till(doc) -> None:
	"""Valid till = the document date + the default validity from Pipeline Settings, when empty."""
	if not doc.valid_till and doc.transaction_date:
		validity = frappe.get_cached_doc("Pipeline Settings").default_quotation_validity
		if validity:
			doc.valid_till = add_days(doc.transaction_date, validity)


def set_default_terms(doc) -> None:
	"""A new quotation's Terms and Conditions from Pipeline Settings, when empty."""
	if doc.is_new() and not doc.terms:
		doc.terms = frappe.get_cached_doc("Pipeline Settings").default_quotation_terms
