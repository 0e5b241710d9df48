# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.item_table import set_amounts_and_total, set_item_details, validate_items
from sales_pipeline.sales_pipeline.party import check_can_use, check_permission_with_server_values
from sales_pipeline.sales_pipeline.sanitize import sanitize_submitted_document
from sales_pipeline.sales_pipeline.transaction_defaults import set_default_valid_till
from sales_pipeline.sales_pipeline.validation import validate_date_order, validate_number_bounds


class PipelineSupplierQuotation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from sales_pipeline.sales_pipeline.doctype.pipeline_supplier_quotation_item.pipeline_supplier_quotation_item import (
			PipelineSupplierQuotationItem,
		)

		amended_from: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link | None
		items: DF.Table[PipelineSupplierQuotationItem]
		lead: DF.Link | None
		naming_series: DF.Literal["SQTN-.YYYY.-"]
		opportunity: DF.Link | None
		status: DF.Literal["Draft", "Submitted", "Cancelled"]
		supplier: DF.Link
		supplier_name: DF.Data | None
		title: DF.Data | None
		total: DF.Currency
		transaction_date: DF.Date
		valid_till: DF.Date | None

	# end: auto-generated types
	def validate(self):
		sanitize_submitted_document(self)
		self.validate_supplier()
		self.set_opportunity_party()
		check_permission_with_server_values(self)
		set_default_valid_till(self)
		validate_items(self)
		# The supplier's rates are what the user collects: never the customer's standard rate.
		set_item_details(self, use_standard_rate=False)
		set_amounts_and_total(self)
		validate_date_order(self, "transaction_date", "valid_till")
		self.set_status()
		validate_number_bounds(self)

	def validate_supplier(self):
		supplier = self.supplier and frappe.db.get_value(
			"Pipeline Supplier", self.supplier, ["supplier_name", "disabled"], as_dict=True
		)
		if not supplier:
			frappe.throw(
				_("{0}: Pipeline Supplier {1} does not exist").format(
					_(self.meta.get_label("supplier")), frappe.bold(self.supplier or _("empty"))
				),
				frappe.ValidationError,
				title=_("Invalid Supplier"),
			)
		if supplier.disabled:
			frappe.throw(
				_("{0}: {1} is disabled").format(
					_(self.meta.get_label("supplier")), frappe.bold(self.supplier)
				),
				frappe.ValidationError,
				title=_("Invalid Supplier"),
			)
		self.supplier_name = supplier.supplier_name
		self.title = self.supplier_name

	def set_opportunity_party(self):
		"""The opportunity must be one the user can read; its lead or customer is copied to the hidden
		`lead` / `customer` links, so that User Permissions on them reach supplier quotations too."""
		party = (
			frappe.db.get_value("Pipeline Opportunity", self.opportunity, ["lead", "customer"], as_dict=True)
			if self.opportunity
			else None
		)
		if party and self.has_value_changed("opportunity") and not self.flags.ignore_permissions:
			check_can_use("Pipeline Opportunity", self.opportunity, self.meta.get_label("opportunity"))
		self.lead = party.lead if party else None
		self.customer = party.customer if party else None

	def before_cancel(self):
		self.set_status()

	def set_status(self):
		self.status = {0: "Draft", 1: "Submitted", 2: "Cancelled"}[self.docstatus]


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Supplier Quotation")
