# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.follow_up import delete_follow_up, sync_follow_up_event, validate_follow_up
from sales_pipeline.sales_pipeline.follow_up.completion import complete_follow_up
from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.locking import reload_for_update, retry_on_deadlock
from sales_pipeline.sales_pipeline.mapper import map_from_loaded_doc, prepare_mapping
from sales_pipeline.sales_pipeline.validation import validate_email_field, validate_not_taken

# Statuses the app sets from the lead's opportunities and customer; the others are set by hand.
PIPELINE_STATUSES = ("Opportunity", "Quotation", "Lost Quotation", "Converted")


class PipelineLead(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		company_name: DF.Data | None
		contact_by: DF.Link | None
		contact_date: DF.Datetime | None
		customer: DF.Link | None
		email_id: DF.Data | None
		lead_name: DF.Data
		lead_owner: DF.Link | None
		mobile_no: DF.Data | None
		naming_series: DF.Literal["LEAD-.YYYY.-"]
		notes: DF.TextEditor | None
		source: DF.Literal[
			"",
			"Advertisement",
			"Campaign",
			"Cold Calling",
			"Exhibition",
			"Existing Customer",
			"Mass Mailing",
			"Reference",
			"Walk In",
			"Website",
			"Other",
		]
		status: DF.Literal[
			"Lead",
			"Open",
			"Replied",
			"Opportunity",
			"Quotation",
			"Lost Quotation",
			"Interested",
			"Converted",
			"Do Not Contact",
		]
		title: DF.Data | None
		to_discuss: DF.SmallText | None
	# end: auto-generated types

	def validate(self):
		self.keep_customer_set_by_server()
		validate_email_field(self, "email_id")
		validate_not_taken(self, "email_id")
		self.set_title()
		# Statuses that follow the pipeline are never taken from the client.
		self.set_pipeline_status()
		validate_follow_up(self)

	def on_update(self):
		sync_follow_up_event(self)

	def on_trash(self):
		delete_follow_up(self)

	def set_title(self):
		self.title = self.company_name or self.lead_name

	def keep_customer_set_by_server(self):
		"""`customer` is set when a customer is made from the lead (and makes it Converted); a value
		sent by the client is replaced by the stored one."""
		if self.flags.customer_set_by_server:
			return
		previous = self.get_doc_before_save()
		self.customer = previous.customer if previous else None

	def get_pipeline_status(self) -> str | None:
		"""The status the lead's customer and opportunities give it, or None when they give none."""
		if self.customer:
			return "Converted"
		statuses = {row.status for row in self.get_opportunity_statuses()}
		if "Converted" in statuses:
			return "Converted"
		if "Quotation" in statuses:
			return "Quotation"
		if statuses & {"Open", "Replied", "Closed"}:
			return "Opportunity"
		if "Lost" in statuses:
			return "Lost Quotation"
		return None

	def get_opportunity_statuses(self) -> list[frappe._dict]:
		"""The statuses of the lead's opportunities, read with a lock: every writer of an opportunity
		locks its lead first, so this sees what the others committed, not an older snapshot."""
		if self.is_new():
			return []
		Opportunity = frappe.qb.DocType("Pipeline Opportunity")
		return (
			frappe.qb.from_(Opportunity)
			.select(Opportunity.name, Opportunity.status)
			# The indexed `lead` link: a locking read through a less selective index would lock
			# other leads' opportunities too.
			.where(Opportunity.lead == self.name)
			.orderby(Opportunity.name)
			.for_update()
			.run(as_dict=True)
		)

	def set_pipeline_status(self):
		"""Make the lead follow its customer and opportunities. "Do Not Contact" set by hand is kept;
		a lead whose last opportunity went away returns to Open."""
		if self.status == "Do Not Contact":
			return
		status = self.get_pipeline_status()
		if status is None:
			status = "Open" if self.status in PIPELINE_STATUSES else self.status
		self.status = status

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def complete_follow_up(
		self,
		note: str | None = None,
		next_contact_by: str | None = None,
		next_contact_date: str | None = None,
	):
		"""The current follow-up is done: recorded with the note, its Event Completed, and the next
		follow-up set (or none). The lead is first in the lock order: lock and reload it."""
		reload_for_update(self)
		self.check_permission("write")
		complete_follow_up(self, note, next_contact_by, next_contact_date)


def update_lead_status(lead_name: str) -> None:
	"""Called when something the lead's status follows has changed (an opportunity, a customer),
	by a writer that locked the lead first. It is the app's consequence of that change, so it does
	not need the user's write right on the lead."""
	if not lead_name:
		return
	try:
		lead = frappe.get_doc("Pipeline Lead", lead_name, for_update=True)
	except frappe.DoesNotExistError:
		# Deleted with (or before) the document that called.
		frappe.clear_last_message()
		return
	previous_status = lead.status
	lead.set_pipeline_status()
	if lead.status != previous_status:
		lead.flags.ignore_permissions = True
		lead.save()


def validate_lead_is_open(lead, action: str) -> None:
	if lead.customer:
		frappe.throw(
			_("Lead {0} is already converted to customer {1}").format(
				frappe.bold(lead.name), frappe.get_desk_link("Pipeline Customer", lead.customer)
			),
			frappe.ValidationError,
			title=action,
		)
	if lead.status == "Do Not Contact":
		frappe.throw(
			_("Lead {0} is marked Do Not Contact").format(frappe.bold(lead.name)),
			frappe.ValidationError,
			title=action,
		)


@frappe.whitelist()
def make_opportunity(source_name: str, target_doc: str | Document | None = None) -> Document:
	"""A new, unsaved Pipeline Opportunity for the lead, with its contact details."""
	lead, target_doc = prepare_mapping("Pipeline Lead", source_name, "Pipeline Opportunity", target_doc)
	validate_lead_is_open(lead, _("Cannot Create Opportunity"))

	def set_missing_values(source, target):
		target.customer_name = source.company_name or source.lead_name
		target.title = target.customer_name

	return map_from_loaded_doc(
		lead,
		{
			"Pipeline Lead": {
				"doctype": "Pipeline Opportunity",
				"field_map": {
					"doctype": "opportunity_from",
					"name": "party_name",
					"lead_name": "contact_name",
					"email_id": "contact_email",
					"mobile_no": "contact_mobile",
				},
				# The lead's own follow-up stays on the lead.
				"field_no_map": ["contact_by", "contact_date", "to_discuss", "status", "title"],
			}
		},
		target_doc,
		set_missing_values,
	)


@frappe.whitelist()
def make_customer(source_name: str, target_doc: str | Document | None = None) -> Document:
	"""A new, unsaved Pipeline Customer from the lead; saving it marks the lead Converted."""
	lead, target_doc = prepare_mapping("Pipeline Lead", source_name, "Pipeline Customer", target_doc)
	validate_lead_is_open(lead, _("Cannot Create Customer"))

	def set_missing_values(source, target):
		target.customer_name = source.company_name or source.lead_name
		target.customer_type = "Company" if source.company_name else "Individual"

	return map_from_loaded_doc(
		lead,
		{
			"Pipeline Lead": {
				"doctype": "Pipeline Customer",
				"field_map": {"name": "lead_name"},
				"field_no_map": ["status", "title"],
			}
		},
		target_doc,
		set_missing_values,
	)


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Lead")
