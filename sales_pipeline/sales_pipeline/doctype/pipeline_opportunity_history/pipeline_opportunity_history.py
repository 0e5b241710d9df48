# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class PipelineOpportunityHistory(Document):
	"""Written by the server (sales_pipeline.sales_pipeline.history), read by users."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		changed_by: DF.Link | None
		changed_on: DF.Datetime
		currency: DF.Link | None
		expected_closing: DF.Date | None
		from_stage: DF.Link | None
		from_status: DF.Data | None
		name: DF.Int | None
		opportunity: DF.Link
		opportunity_amount: DF.Currency
		probability: DF.Percent
		sales_stage: DF.Link | None
		status: DF.Data | None
	# end: auto-generated types


def on_doctype_update():
	"""The state of an opportunity at a moment is read by (opportunity, changed_on); the reports
	read every row of a period by changed_on."""
	frappe.db.add_index("Pipeline Opportunity History", ["opportunity", "changed_on"])
	frappe.db.add_index("Pipeline Opportunity History", ["changed_on"])
