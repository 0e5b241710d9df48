# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.item_table import set_amounts_and_total, set_item_details, validate_items
from sales_pipeline.sales_pipeline.party import get_party_display_name, validate_party
from sales_pipeline.sales_pipeline.validation import validate_date_order, validate_percentage


class PipelineOpportunity(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from sales_pipeline.sales_pipeline.doctype.pipeline_lost_reason_detail.pipeline_lost_reason_detail import (
			PipelineLostReasonDetail,
		)
		from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity_item.pipeline_opportunity_item import (
			PipelineOpportunityItem,
		)

		contact_by: DF.Link | None
		contact_date: DF.Datetime | None
		contact_email: DF.Data | None
		contact_mobile: DF.Data | None
		contact_person: DF.Link | None
		currency: DF.Link | None
		customer_name: DF.Data | None
		expected_closing: DF.Date | None
		items: DF.Table[PipelineOpportunityItem]
		lost_reasons: DF.TableMultiSelect[PipelineLostReasonDetail]
		naming_series: DF.Literal["OPP-.YYYY.-"]
		opportunity_amount: DF.Currency
		opportunity_from: DF.Link
		opportunity_owner: DF.Link | None
		order_lost_reason: DF.SmallText | None
		party_name: DF.DynamicLink
		probability: DF.Percent
		sales_stage: DF.Link | None
		status: DF.Literal["Open", "Replied", "Quotation", "Converted", "Lost", "Closed"]
		title: DF.Data | None
		to_discuss: DF.SmallText | None
		total: DF.Currency
		transaction_date: DF.Date
		with_items: DF.Check

	# end: auto-generated types
	def validate(self):
		validate_party(self, "opportunity_from", "party_name")
		self.set_party_details()
		self.set_missing_values()
		validate_items(self)
		set_item_details(self)
		set_amounts_and_total(self)
		self.set_opportunity_amount()
		self.set_probability_from_sales_stage()
		validate_percentage(self, "probability")
		validate_date_order(self, "transaction_date", "expected_closing")

	def set_party_details(self):
		self.customer_name = get_party_display_name(self.opportunity_from, self.party_name)
		self.title = self.customer_name

	def set_missing_values(self):
		if not self.sales_stage and self.is_new():
			self.sales_stage = frappe.db.get_single_value("Pipeline Settings", "default_sales_stage")

	def set_opportunity_amount(self):
		if self.items:
			self.with_items = 1
			self.opportunity_amount = self.total

	def set_probability_from_sales_stage(self):
		if self.sales_stage and not self.probability:
			self.probability = frappe.db.get_value("Pipeline Sales Stage", self.sales_stage, "probability")
