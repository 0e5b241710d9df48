# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils.html_utils import sanitize_html

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	parse_lost_reasons,
	update_status_from_quotations,
	validate_opportunity_can_be_quoted,
)
from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.item_table import set_amounts_and_total, set_item_details, validate_items
from sales_pipeline.sales_pipeline.locking import lock_opportunity, reload_for_update, retry_on_deadlock
from sales_pipeline.sales_pipeline.party import (
	check_can_use,
	check_permission_with_server_values,
	set_party_details,
	set_party_links,
	validate_party,
)
from sales_pipeline.sales_pipeline.sanitize import sanitize_submitted_document
from sales_pipeline.sales_pipeline.transaction_defaults import set_default_terms, set_default_valid_till
from sales_pipeline.sales_pipeline.validation import validate_date_order, validate_number_bounds


class PipelineQuotation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from sales_pipeline.sales_pipeline.doctype.pipeline_lost_reason_detail.pipeline_lost_reason_detail import (
			PipelineLostReasonDetail,
		)
		from sales_pipeline.sales_pipeline.doctype.pipeline_quotation_item.pipeline_quotation_item import (
			PipelineQuotationItem,
		)

		amended_from: DF.Link | None
		contact_email: DF.Data | None
		contact_mobile: DF.Data | None
		contact_name: DF.Data | None
		contact_person: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		items: DF.Table[PipelineQuotationItem]
		lead: DF.Link | None
		lost_reasons: DF.TableMultiSelect[PipelineLostReasonDetail]
		naming_series: DF.Literal["QTN-.YYYY.-"]
		opportunity: DF.Link | None
		order_lost_reason: DF.SmallText | None
		party_name: DF.DynamicLink
		quotation_to: DF.Link
		status: DF.Literal["Draft", "Open", "Ordered", "Lost", "Cancelled"]
		terms: DF.TextEditor | None
		title: DF.Data | None
		total: DF.Currency
		transaction_date: DF.Date
		valid_till: DF.Date | None

	# end: auto-generated types

	def load_from_db(self):
		"""A load with a lock (`frappe.get_doc(..., for_update=True)`, as the REST API's PUT does
		before it saves) locks this row: lock its opportunity and lead before it."""
		if self.flags.for_update and self.name:
			lock_opportunity(frappe.db.get_value(self.doctype, self.name, "opportunity"))
		return super().load_from_db()

	def check_if_latest(self):
		"""Frappe locks this quotation's row here, first thing in a save, submit or cancel: lock its
		opportunity and that one's lead before it, in the app's lock order (locking.py)."""
		lock_opportunity(self.get_stored_opportunity())
		super().check_if_latest()

	def validate(self):
		sanitize_submitted_document(self)
		self.set_status()
		party = validate_party(self, "quotation_to", "party_name")
		set_party_links(self, "quotation_to")
		check_permission_with_server_values(self)
		self.validate_opportunity()
		set_party_details(self, "quotation_to", party)
		set_default_valid_till(self)
		set_default_terms(self)
		validate_items(self)
		set_item_details(self)
		set_amounts_and_total(self)
		validate_date_order(self, "transaction_date", "valid_till")
		validate_number_bounds(self)

	def before_submit(self):
		self.validate_opportunity_is_open()

	def on_submit(self):
		self.update_opportunity_status()

	def before_cancel(self):
		self.status = "Cancelled"

	def on_cancel(self):
		self.update_opportunity_status()

	def get_stored_opportunity(self) -> str | None:
		if self.is_new():
			return self.opportunity
		return frappe.db.get_value(self.doctype, self.name, "opportunity")

	def set_status(self):
		"""Draft, then Open once submitted; Ordered or Lost only through set_as_ordered and
		declare_enquiry_lost. Never the client's, nor the lost reasons and detail that go with Lost."""
		previous = self.get_doc_before_save()
		if self.docstatus == 0 or not previous or previous.docstatus == 0:
			self.status = "Draft" if self.docstatus == 0 else "Open"
			self.set("lost_reasons", [])
			self.order_lost_reason = None
			return
		if self.docstatus == 1:
			self.status = previous.status

	def validate_opportunity(self):
		"""The opportunity must be one the user can read, of the same party (or of the lead this
		customer was made from): a quotation must not move another party's deal."""
		if not self.opportunity:
			return
		opportunity = frappe.db.get_value(
			"Pipeline Opportunity", self.opportunity, ["opportunity_from", "party_name"], as_dict=True
		)
		if not opportunity:
			return  # Frappe's link validation has said so already
		if self.has_value_changed("opportunity") and not self.flags.ignore_permissions:
			check_can_use("Pipeline Opportunity", self.opportunity, self.meta.get_label("opportunity"))
		same_party = (opportunity.opportunity_from, opportunity.party_name) == (
			self.quotation_to,
			self.party_name,
		)
		converted_lead = (
			opportunity.opportunity_from == "Pipeline Lead"
			and self.quotation_to == "Pipeline Customer"
			and frappe.db.get_value("Pipeline Lead", opportunity.party_name, "customer") == self.party_name
		)
		if not (same_party or converted_lead):
			frappe.throw(
				_("Opportunity {0} belongs to {1} {2}, not to the party of this quotation").format(
					frappe.bold(self.opportunity),
					_(opportunity.opportunity_from),
					frappe.bold(opportunity.party_name),
				),
				frappe.ValidationError,
				title=_("Invalid Opportunity"),
			)

	def validate_opportunity_is_open(self):
		if not self.opportunity:
			return
		opportunity = frappe.get_doc("Pipeline Opportunity", self.opportunity, for_update=True)
		validate_opportunity_can_be_quoted(opportunity, _("Cannot Submit Quotation"))

	def update_opportunity_status(self):
		if self.opportunity:
			update_status_from_quotations(self.opportunity)

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def set_as_ordered(self):
		"""The customer accepted: the quotation is Ordered and its opportunity Converted."""
		lock_opportunity(self.get_stored_opportunity())
		reload_for_update(self)
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

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def declare_enquiry_lost(self, lost_reasons_list: list | None, detailed_reason: str | None = None):
		"""The customer turned this quotation down: it is Lost, with one or more Pipeline Lost Reasons.
		When its opportunity has no other active quotation left, the opportunity is Lost too, with
		the same reasons (and its lead Lost Quotation)."""
		lock_opportunity(self.get_stored_opportunity())
		reload_for_update(self)
		self.check_permission("submit")
		reasons = parse_lost_reasons(lost_reasons_list)
		if self.docstatus != 1 or self.status != "Open":
			frappe.throw(
				_("Only a submitted, open quotation can be set as lost; this one is {0}").format(
					_(self.status)
				),
				frappe.ValidationError,
				title=_("Cannot Set as Lost"),
			)
		detail = sanitize_html((detailed_reason or "").strip()) or None
		for reason in reasons:
			row = self.append("lost_reasons", {"lost_reason": reason})
			row.docstatus = 1
			row.db_insert()
		self.db_set({"status": "Lost", "order_lost_reason": detail}, notify=True)
		self.add_comment("Info", _("Set as lost"))
		if self.opportunity:
			update_status_from_quotations(self.opportunity, lost_reasons=reasons, detailed_reason=detail)


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Quotation")
