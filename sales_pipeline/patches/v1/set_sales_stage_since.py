"""Fill `sales_stage_since` of existing opportunities: the moment of the last tracked change of
their sales stage (Version), or their creation when the stage was never changed."""

import json

import frappe
from frappe.query_builder import DocType


def execute():
	Opportunity = DocType("Pipeline Opportunity")
	for name, changed_at in get_last_stage_changes().items():
		(
			frappe.qb.update(Opportunity)
			.set(Opportunity.sales_stage_since, changed_at)
			.where(Opportunity.name == name)
			.where(Opportunity.sales_stage_since.isnull())
			.run()
		)
	(
		frappe.qb.update(Opportunity)
		.set(Opportunity.sales_stage_since, Opportunity.creation)
		.where(Opportunity.sales_stage_since.isnull())
		.run()
	)


def get_last_stage_changes() -> dict:
	"""{opportunity: creation of the latest Version that changed its sales stage}."""
	Version = DocType("Version")
	versions = (
		frappe.qb.from_(Version)
		.select(Version.docname, Version.data, Version.creation)
		.where(Version.ref_doctype == "Pipeline Opportunity")
		.where(Version.data.like('%"sales_stage"%'))
		.orderby(Version.creation)
		.run(as_dict=True)
	)
	changes = {}
	for version in versions:
		try:
			changed = json.loads(version.data or "{}").get("changed") or []
		except ValueError:
			continue
		if any(row and row[0] == "sales_stage" for row in changed):
			changes[version.docname] = version.creation
	return changes
