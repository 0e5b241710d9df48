# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead import validate_lead_is_open
from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.validation import validate_email_field, validate_not_taken


class PipelineCustomer(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		customer_name: DF.Data
		customer_type: DF.Literal["Company", "Individual"]
		default_currency: DF.Link | None
		disabled: DF.Check
		email_id: DF.Data | None
		lead_name: DF.Link | None
		mobile_no: DF.Data | None

	# end: auto-generated types
	def validate(self):
		self.customer_name = (self.customer_name or "").strip()
		validate_not_taken(self, "customer_name")
		validate_email_field(self, "email_id")
		self.validate_lead()

	def after_insert(self):
		self.mark_lead_converted()

	def validate_lead(self):
		if not (self.lead_name and self.is_new()):
			return
		lead = frappe.get_doc("Pipeline Lead", self.lead_name)
		if not self.flags.ignore_permissions:
			lead.check_permission("read")
		validate_lead_is_open(lead, _("Cannot Create Customer"))

	def mark_lead_converted(self):
		if not self.lead_name:
			return
		# Locked, and read as last committed: a concurrent save of the lead must not undo this.
		lead = frappe.get_doc("Pipeline Lead", self.lead_name, for_update=True)
		lead.customer = self.name
		lead.flags.customer_set_by_server = True
		lead.set_pipeline_status()
		# The lead is converted as a consequence of this customer, whoever may edit leads.
		lead.flags.ignore_permissions = True
		lead.save()


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Customer")
