"""The party of a pipeline transaction: a Pipeline Lead or a Pipeline Customer."""

import frappe
from frappe import _

PARTY_DOCTYPES = ("Pipeline Lead", "Pipeline Customer")
# What a transaction shows of its party: the display name comes from these, and a lead's person is
# the contact of its deals.
PARTY_FIELDS = {"Pipeline Lead": ("company_name", "lead_name"), "Pipeline Customer": ("customer_name",)}


def validate_party(doc, party_type_field: str, party_name_field: str = "party_name") -> frappe._dict:
	"""Refuse a party type other than Pipeline Lead / Pipeline Customer, or a party that does not exist.
	Returns the party's name and PARTY_FIELDS, read in one query, for set_party_details."""
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
	party = get_party(party_type, party_name) if party_name else None
	if not party:
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
	return party


def get_party(party_type: str, party_name: str) -> frappe._dict | None:
	return frappe.db.get_value(party_type, party_name, ["name", *PARTY_FIELDS[party_type]], as_dict=True)


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


def get_display_name(party_type: str, party: frappe._dict) -> str | None:
	"""The name a sales person knows the party by: the customer name, or the lead's organisation
	(or person, when it has no organisation)."""
	if party_type == "Pipeline Customer":
		return party.customer_name
	return party.company_name or party.lead_name


def set_party_details(doc, party_type_field: str, party: frappe._dict) -> None:
	"""The customer name and title of an opportunity or quotation from its party (the row
	validate_party read), and the lead's person as its contact unless one was given, so that the
	person's name is found by search on the deal too."""
	party_type = doc.get(party_type_field)
	doc.customer_name = get_display_name(party_type, party)
	doc.title = doc.customer_name
	if not doc.contact_name and party_type == "Pipeline Lead":
		doc.contact_name = party.lead_name
