"""User Permissions on leads and customers in a form an index serves.

Frappe restricts a list of opportunities for a user with User Permissions on leads and on customers
to `(ifnull(lead, '') = '' or lead in (...)) and (ifnull(customer, '') = '' or customer in (...))`:
right, but no index serves `ifnull(...)`, so each page, count, number card and report of that user
reads the whole table to find their few documents (all 300,000 opportunities for 40). Every
opportunity and quotation has its lead or its customer set, so these are the documents with
`lead in (...) or customer in (...)`, which the two indexes serve together (an index merge). The
permission query conditions below add that form; Frappe ANDs them with its own, so a list never
shows more than Frappe's rule allows. The only documents they leave out are those without any
party link, which the app does not write. Likewise a list of leads (or customers) restricted to
some of them gets `name in (...)`, served by the primary key.

Frappe applies a User Permission to a DocType unless it is meant for other DocTypes only
(`applicable_for`); Frappe decides which of the user's permissions restrict the DocType, and the
names added here are all the user's permitted leads (or customers), whatever they apply to, so
that the condition stays wider than Frappe's also where Frappe adds those meant for the DocType a
link field is filled from.
"""

import frappe
from frappe.model.db_query import DatabaseQuery, requires_owner_constraint
from frappe.permissions import get_role_permissions, get_user_permissions

# The Link fields through which User Permissions on leads and customers reach a DocType; each
# document has one of them set.
PARTY_LINK_FIELDS = {
	"Pipeline Opportunity": ("lead", "customer"),
	"Pipeline Quotation": ("lead", "customer"),
	"Pipeline Supplier Quotation": ("lead", "customer"),
}
# A supplier quotation takes its lead or customer from its opportunity: one made without an
# opportunity has neither, and Frappe's rule shows it.
WITHOUT_PARTY_FIELD = {"Pipeline Supplier Quotation": "opportunity"}


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""hooks.permission_query_conditions of the app's party and transaction DocTypes."""
	user = user or frappe.session.user
	restricted_by = get_restricting_doctypes(doctype, user)
	if not restricted_by:
		return ""
	table = f"`tab{doctype}`"
	if doctype in restricted_by:
		return f"{table}.`name` in ({get_permitted_names(user, doctype)})"
	fields = PARTY_LINK_FIELDS.get(doctype)
	if not fields:
		return ""
	meta = frappe.get_meta(doctype)
	link_doctypes = [meta.get_field(fieldname).options for fieldname in fields]
	if not all(link_doctype in restricted_by for link_doctype in link_doctypes):
		# Restricted on one side only: the documents of the other side all show, no index narrows.
		return ""
	conditions = [
		f"{table}.`{fieldname}` in ({get_permitted_names(user, link_doctype)})"
		for fieldname, link_doctype in zip(fields, link_doctypes, strict=True)
	]
	if without_party := WITHOUT_PARTY_FIELD.get(doctype):
		conditions.append(f"{table}.`{without_party}` is null or {table}.`{without_party}` = ''")
	return "(" + " or ".join(conditions) + ")"


def get_restricting_doctypes(doctype: str, user: str) -> set[str]:
	"""The DocTypes whose User Permissions Frappe applies to a list of `doctype` for `user`, found
	by Frappe's own DatabaseQuery.add_user_permissions, in the case where Frappe applies them (the
	user's roles read the DocType, not only their own documents)."""
	role_permissions = get_role_permissions(frappe.get_meta(doctype), user=user)
	if not (role_permissions.get("read") or role_permissions.get("select")):
		return set()
	if requires_owner_constraint(role_permissions):
		return set()
	query = DatabaseQuery(doctype, user=user)
	query.match_conditions, query.match_filters = [], []
	query.add_user_permissions(get_user_permissions(user))
	return {link_doctype for match in query.match_filters for link_doctype in match}


def get_permitted_names(user: str, doctype: str) -> str:
	"""Every `doctype` record a User Permission of `user` names, escaped for SQL."""
	names = {permission.get("doc") for permission in get_user_permissions(user).get(doctype, [])}
	return ", ".join(frappe.db.escape(name, percent=False) for name in sorted(names))
