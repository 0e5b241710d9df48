# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	validate_opportunity_can_be_quoted,
)
from sales_pipeline.sales_pipeline.item_table import set_amounts_and_total, set_item_details, validate_items
from sales_pipeline.sales_pipeline.party import get_party_display_name, validate_party
from sales_pipeline.sales_pipeline.transaction_defaults import set_default_valid_till
from sales_pipeline.sales_pipeline.validation import validate_date_order


class PipelineQuotation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from sales_pipeline.sales_pipeline.doctype.pipeline_quotation_item.pipeline_quotation_item import (
			PipelineQuotationItem,
		)

		amended_from: DF.Link | None
		contact_email: DF.Data | None
		contact_mobile: DF.Data | None
		contact_person: DF.Link | None
		currency: DF.Link | None
		customer_name: DF.Data | None
		items: DF.Table[PipelineQuotationItem]
		naming_series: DF.Literal["QTN-.YYYY.-"]
		opportunity: DF.Link | None
		party_name: DF.DynamicLink
		quotation_to: DF.Link
		status: DF.Literal["Draft", "Open", "Ordered", "Cancelled"]
		title: DF.Data | None
		total: DF.Currency
		transaction_date: DF.Date
		valid_till: DF.Date | None

	# end: auto-generated types

	def validate(self):
		validate_party(self, "quotation_to", "party_name")
		self.set_party_details()
		set_default_valid_till(self)
		validate_items(self)
		set_item_details(self)
		set_amounts_and_total(self)
		validate_date_order(self, "transaction_date", "valid_till")
		self.set_status()

	def before_submit(self):
		self.validate_opportunity_is_open()

	def on_submit(self):
		self.update_opportunity_status()

	def before_cancel(self):
		self.status = "Cancelled"

	def on_cancel(self):
		self.update_opportunity_status()

	def set_party_details(self):
		self.customer_name = get_party_display_name(self.quotation_to, self.party_name)
		self.title = self.customer_name

	def set_status(self):
		if self.docstatus == 0:
			self.status = "Draft"
		elif self.docstatus == 1 and self.status not in ("Open", "Ordered"):
			self.status = "Open"

	def validate_opportunity_is_open(self):
		if not self.opportunity:
			return
		opportunity = frappe.get_doc("Pipeline Opportunity", self.opportunity)
		validate_opportunity_can_be_quoted(opportunity, _("Cannot Submit Quotation"))

	def update_opportunity_status(self):
		if self.opportunity:
			frappe.get_doc("Pipeline Opportunity", self.opportunity).update_status_from_quotations()

	@frappe.whitelist(methods=["POST"])
	def set_as_ordered(self):
		"""The customer accepted: the quotation is Ordered and its opportunity Converted."""
		self.check_permission("submit")
		if self.docstatus != 1 or self.status != "Open":
			frappe.throw(
				_("Only a submitted, open quotation can be marked as ordered; this one is {0}").format(
					_(self.status)
				),
				frappe.ValidationError,
				title=_("Cannot Mark as Ordered"),
			)
		self.db_set("status", "Ordered", notify=True)
		self.add_comment("Info", _("Marked as ordered"))
		self.update_opportunity_status()
