"""Defaults Pipeline Settings gives new transactions."""

import frappe
from frappe.utils import add_days


def set_default_valid_till(doc) -> None:
	"""Valid till = the document date + the default validity from Pipeline Settings, when empty."""
	if not doc.valid_till and doc.transaction_date:
		validity = frappe.db.get_single_value("Pipeline Settings", "default_quotation_validity")
		if validity:
			doc.valid_till = add_days(doc.transaction_date, validity)


def set_default_terms(doc) -> None:
	"""A new quotation's Terms and Conditions from Pipeline Settings, when empty."""
	if doc.is_new() and not doc.terms:
		doc.terms = frappe.db.get_single_value("Pipeline Settings", "default_quotation_terms")
