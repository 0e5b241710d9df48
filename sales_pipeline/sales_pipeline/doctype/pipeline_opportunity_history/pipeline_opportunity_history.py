# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class PipelineOpportunityHistory(Document):
	"""Written by the server (sales_pipeline.sales_pipeline.history), read by users."""

	pass


def on_doctype_update():
	"""The state of an opportunity at a moment is read by (opportunity, changed_on); the reports
	read every row of a period by changed_on."""
	frappe.db.add_index("Pipeline Opportunity History", ["opportunity", "changed_on"])
	frappe.db.add_index("Pipeline Opportunity History", ["changed_on"])
