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
	party_changed = doc.has_value_changed(party_type_field) or doc.has_value_changed(party_name_field)
	if party_changed and not doc.flags.ignore_permissions:
		# The party is read below with the database's rights: a user must not reach, through a new
		# document, a lead or customer they may not open.
		check_can_use(party_type, party_name, doc.meta.get_label(party_name_field))


def check_can_use(doctype: str, name: str, label: str) -> None:
	"""A document may only point at a record its user can read (roles and User Permissions)."""
	if not frappe.has_permission(doctype, "read", doc=name):
		frappe.throw(
			_("{0}: you do not have permission to read {1} {2}").format(
				_(label), _(doctype), frappe.bold(name)
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def set_party_links(doc, party_type_field: str, party_name_field: str = "party_name") -> None:
	"""Fill the hidden `lead` and `customer` Link fields from the Dynamic Link party. Frappe applies
	User Permissions through Link fields only, so these make a restriction to some leads or
	customers reach their opportunities and quotations."""
	party_type, party_name = doc.get(party_type_field), doc.get(party_name_field)
	doc.lead = party_name if party_type == "Pipeline Lead" else None
	doc.customer = party_name if party_type == "Pipeline Customer" else None


def check_permission_with_server_values(doc) -> None:
	"""Frappe checked the user's right to save this document on the values the request sent. Check
	it again once the server has set its own (status, party links): a restricted user must not get
	through by sending a party link they are allowed in place of the real one."""
	if doc.flags.ignore_permissions:
		return
	doc.check_permission("create" if doc.is_new() else "write")


def get_party_display_name(party_type: str, party_name: str) -> str | None:
	"""The name a sales person knows the party by: the customer name, or the lead's organisation
	(or person, when it has no organisation)."""
	if party_type == "Pipeline Customer":
		return frappe.db.get_value("Pipeline Customer", party_name, "customer_name")
	lead = frappe.db.get_value("Pipeline Lead", party_name, ["company_name", "lead_name"], as_dict=True)
	return (lead.company_name or lead.lead_name) if lead else None
