# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.indexes import add_indexes


class PipelineFollowUp(Document):
	pass


def on_doctype_update():
	# One row per lead or opportunity: the database itself refuses a second one, so two saves or
	# two scheduler runs racing each other can never make a second Event or notification.
	frappe.db.add_unique(
		"Pipeline Follow Up",
		["reference_doctype", "reference_name"],
		constraint_name="unique_follow_up_document",
	)
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Follow Up")
