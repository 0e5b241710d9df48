"""Guards every mapper of the app runs before mapping (frappe.model.mapper.get_mapped_doc is not a
permission boundary and would take any DocType as `target_doc`), and the mapping itself, from the
source document the guards loaded."""

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.mapper import map_child_doc, map_doc


def check_mapping_permissions(source_doctype: str, source_name: str, target_doctype: str) -> Document:
	"""Read permission on the source and create permission on the target, or PermissionError.
	Returns the source document, which the mapper maps from (map_from_loaded_doc)."""
	frappe.has_permission(target_doctype, "create", throw=True)
	try:
		source = frappe.get_doc(source_doctype, source_name)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		frappe.throw(
			_("{0} {1} does not exist").format(_(source_doctype), frappe.bold(source_name)),
			frappe.DoesNotExistError,
		)
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


def map_from_loaded_doc(
	source: Document, table_maps: dict, target_doc: Document | None = None, postprocess=None
) -> Document:
	"""What frappe.model.mapper.get_mapped_doc does, from a source document already loaded (and
	permission-checked) by prepare_mapping instead of loading it a second time: the same copy-over
	(Frappe's map_doc and map_child_doc, `field_map`, `field_no_map`, a table map per child DocType,
	a table of the same child DocType and fieldname on both sides that neither marks No Copy, the
	rows the user picked in the desk's "select items" dialog), then `postprocess`, the target's
	`after_mapping` and the flag the desk reads to load the mapped document; the create permission
	on the target is checked as get_mapped_doc checks it. Table maps with `condition`, `filter`,
	`add_if_empty`, `ignore` or `reset_value` are not supported."""
	target_doc = target_doc or frappe.new_doc(table_maps[source.doctype]["doctype"])
	if not target_doc.has_permission("create"):
		target_doc.raise_no_permission_to("create")
	target_doc.run_method("before_mapping", source, table_maps)
	map_doc(source, target_doc, table_maps[source.doctype])
	selected_children = frappe.flags.selected_children or {}
	for df in source.meta.get_table_fields():
		table_map = table_maps.get(df.options) or get_same_table_map(df, target_doc)
		if not table_map:
			continue
		for row in source.get(df.fieldname):
			if df.fieldname in selected_children and row.name not in selected_children[df.fieldname]:
				continue
			map_child_doc(row, target_doc, table_map, source)
	if postprocess:
		postprocess(source, target_doc)
	target_doc.run_method("after_mapping", source)
	target_doc.set_onload("load_after_mapping", True)
	return target_doc


def get_same_table_map(source_df, target_doc: Document) -> dict | None:
	"""get_mapped_doc copies a child table that the target has under the same fieldname with the same
	child DocType, unless either side marks it No Copy."""
	target_df = target_doc.meta.get_field(source_df.fieldname)
	if target_df and target_df.options == source_df.options and not (source_df.no_copy or target_df.no_copy):
		return {"doctype": source_df.options}
	return None
