"""Guards every mapper of the app runs before frappe.model.mapper.get_mapped_doc, which is
not a permission boundary and would take any DocType as `target_doc`."""

import json

import frappe
from frappe import _
from frappe.model.document import Document


def check_mapping_permissions(source_doctype: str, source_name: str, target_doctype: str) -> Document:
	"""Read permission on the source and create permission on the target, or PermissionError.
	Returns the source document."""
	frappe.has_permission(target_doctype, "create", throw=True)
	if not frappe.db.exists(source_doctype, source_name):
		frappe.throw(
			_("{0} {1} does not exist").format(_(source_doctype), frappe.bold(source_name)),
			frappe.DoesNotExistError,
		)
	source = frappe.get_doc(source_doctype, source_name)
	source.check_permission("read")
	return source


def parse_target_doc(target_doc: str | dict | Document | None, target_doctype: str) -> Document | None:
	"""The document the client asks to map into, refused unless it is a new `target_doctype`."""
	if target_doc in (None, ""):
		return None
	if isinstance(target_doc, str):
		try:
			target_doc = json.loads(target_doc)
		except ValueError:
			frappe.throw(_("The target document is not valid JSON"), frappe.ValidationError)
	if isinstance(target_doc, dict):
		doctype = target_doc.get("doctype")
	elif isinstance(target_doc, Document):
		doctype = target_doc.doctype
	else:
		doctype = None
	if doctype != target_doctype:
		frappe.throw(
			_("The target document must be a {0}, not {1}").format(_(target_doctype), frappe.bold(doctype)),
			frappe.ValidationError,
			title=_("Invalid Target Document"),
		)
	if isinstance(target_doc, dict):
		target_doc = frappe.get_doc(target_doc)
	if target_doc.docstatus != 0:
		frappe.throw(_("Items can only be mapped into a draft {0}").format(_(target_doctype)))
	return target_doc


def prepare_mapping(
	source_doctype: str, source_name: str, target_doctype: str, target_doc: str | dict | Document | None
) -> tuple[Document, Document | None]:
	"""Both guards, in order: the permissions, then the target document. Returns the source and the
	parsed target document."""
	source = check_mapping_permissions(source_doctype, source_name, target_doctype)
	return source, parse_target_doc(target_doc, target_doctype)
