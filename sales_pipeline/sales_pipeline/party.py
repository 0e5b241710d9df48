"""The party of a pipeline transaction: a Pipeline Lead or a Pipeline Customer."""

import frappe
from frappe import _

PARTY_DOCTYPES = ("Pipeline Lead", "Pipeline Customer")


def validate_party(doc, party_type_field: str, party_name_field: str = "party_name") -> None:
	"""Refuse a party type other than Pipeline Lead / Pipeline Customer, or a party that does not exist."""
	party_type = doc.get(party_type_field)
	party_name = doc.get(party_name_field)
	if party_type not in PARTY_DOCTYPES:
		frappe.throw(
			_("{0} must be Pipeline Lead or Pipeline Customer, not {1}").format(
				_(doc.meta.get_label(party_type_field)), frappe.bold(party_type or _("empty"))
			),
			frappe.ValidationError,
			title=_("Invalid Party Type"),
		)
	if not party_name or not frappe.db.exists(party_type, party_name):
		frappe.throw(
			_("{0}: {1} {2} does not exist").format(
				_(doc.meta.get_label(party_name_field)), _(party_type), frappe.bold(party_name or _("empty"))
			),
			frappe.ValidationError,
			title=_("Invalid Party"),
		)


def get_party_display_name(party_type: str, party_name: str) -> str | None:
	"""The name a sales person knows the party by: the customer name, or the lead's organisation
	(or person, when it has no organisation)."""
	if party_type == "Pipeline Customer":
		return frappe.db.get_value("Pipeline Customer", party_name, "customer_name")
	lead = frappe.db.get_value("Pipeline Lead", party_name, ["company_name", "lead_name"], as_dict=True)
	return (lead.company_name or lead.lead_name) if lead else None
