# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_days, cint, get_link_to_form, now_datetime

from sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead import update_lead_status
from sales_pipeline.sales_pipeline.follow_up import delete_follow_up, sync_follow_up_event, validate_follow_up
from sales_pipeline.sales_pipeline.follow_up.completion import complete_follow_up
from sales_pipeline.sales_pipeline.history import delete_history, record_change
from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.item_table import set_amounts_and_total, set_item_details, validate_items
from sales_pipeline.sales_pipeline.locking import (
	lock_parties,
	lock_rows,
	reload_for_update,
	retry_on_deadlock,
)
from sales_pipeline.sales_pipeline.mapper import map_from_loaded_doc, prepare_mapping
from sales_pipeline.sales_pipeline.party import (
	check_permission_with_server_values,
	set_party_details,
	set_party_links,
	validate_party,
)
from sales_pipeline.sales_pipeline.transaction_defaults import set_default_terms, set_default_valid_till
from sales_pipeline.sales_pipeline.validation import (
	validate_date_order,
	validate_number_bounds,
	validate_percentage,
)

# Quotation statuses that keep a deal alive: an opportunity with one cannot be declared lost. A
# Lost quotation is not one of them.
ACTIVE_QUOTATION_STATUSES = ("Open", "Ordered")
# An opportunity in one of these cannot be quoted.
UNQUOTABLE_STATUSES = ("Lost", "Closed")
# A won deal is certain, a lost or closed one is gone: their probability says so.
STATUS_PROBABILITY = {"Converted": 100, "Lost": 0, "Closed": 0}


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
		contact_name: DF.Data | None
		contact_person: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		expected_closing: DF.Date | None
		items: DF.Table[PipelineOpportunityItem]
		lead: DF.Link | None
		lost_reasons: DF.TableMultiSelect[PipelineLostReasonDetail]
		naming_series: DF.Literal["OPP-.YYYY.-"]
		opportunity_amount: DF.Currency
		opportunity_from: DF.Link
		opportunity_owner: DF.Link | None
		order_lost_reason: DF.SmallText | None
		party_name: DF.DynamicLink
		probability: DF.Percent
		sales_stage: DF.Link | None
		sales_stage_since: DF.Datetime | None
		status: DF.Literal["Open", "Replied", "Quotation", "Converted", "Lost", "Closed"]
		title: DF.Data | None
		to_discuss: DF.SmallText | None
		total: DF.Currency
		transaction_date: DF.Date
		with_items: DF.Check
	# end: auto-generated types

	def load_from_db(self):
		"""A load with a lock (`frappe.get_doc(..., for_update=True)`, as the REST API's PUT does
		before it saves) locks this row: lock its lead before it, in the app's lock order. Not the
		copy a save loads (check_if_latest has dealt with the lead)."""
		if self.flags.for_update and self.name and frappe.flags.opportunity_saved != self.name:
			lock_parties(self.get_parties())
		return super().load_from_db()

	def check_if_latest(self):
		"""Frappe locks this opportunity's row here, first thing in a save, as it loads the stored
		copy: lock its lead (and the previous one, when the party changes) before it, in the app's
		lock order (locking.py), when the save may change the lead's status: a new opportunity, one
		moved to another party, a status set by the server. Any other save leaves the lead alone and
		takes no lock on it."""
		parties = self.get_parties()
		if self.is_new() or len(set(parties)) > 1 or self.flags.status_set_by_server:
			lock_parties(parties)
		frappe.flags.opportunity_saved = self.name
		try:
			super().check_if_latest()
		finally:
			frappe.flags.opportunity_saved = None

	def validate(self):
		self.keep_values_set_by_server()
		party = validate_party(self, "opportunity_from", "party_name")
		set_party_links(self, "opportunity_from")
		check_permission_with_server_values(self)
		set_party_details(self, "opportunity_from", party)
		self.set_missing_values()
		self.set_sales_stage_since()
		validate_items(self)
		set_item_details(self)
		set_amounts_and_total(self)
		self.set_opportunity_amount()
		self.set_probability()
		validate_percentage(self, "probability")
		validate_date_order(self, "transaction_date", "expected_closing")
		validate_follow_up(self)
		validate_number_bounds(self)

	def on_update(self):
		self.update_lead_statuses()
		sync_follow_up_event(self)

	def on_change(self):
		# Frappe runs on_change after every insert and save and after every db_set.
		record_change(self)

	def on_trash(self):
		delete_follow_up(self)
		delete_history(self.name)

	def after_delete(self):
		if self.opportunity_from == "Pipeline Lead":
			update_lead_status(self.party_name)

	def set_missing_values(self):
		if not self.sales_stage and self.is_new():
			self.sales_stage = frappe.db.get_single_value("Pipeline Settings", "default_sales_stage")

	def set_sales_stage_since(self):
		"""The moment the opportunity entered its sales stage (the board's "days in stage"): set by
		the server on insert and when the stage changes, kept otherwise whatever the client sends."""
		previous = self.get_doc_before_save()
		if not previous or previous.sales_stage != self.sales_stage:
			self.sales_stage_since = now_datetime()
		else:
			self.sales_stage_since = previous.sales_stage_since

	def set_opportunity_amount(self):
		"""With Items follows the items table (the form shows the table always); with items, the
		amount is their total."""
		self.with_items = 1 if self.items else 0
		if self.items:
			self.opportunity_amount = self.total

	def set_probability(self):
		"""Converted carries 100, Lost and Closed 0. An open deal without a probability takes its
		stage's default, as does one that leaves Converted, Lost or Closed (reopened, its order
		cancelled)."""
		if self.status in STATUS_PROBABILITY:
			self.probability = STATUS_PROBABILITY[self.status]
			return
		previous = self.get_doc_before_save()
		if previous and previous.status in STATUS_PROBABILITY:
			self.probability = 0
		if self.sales_stage and not self.probability:
			self.probability = frappe.db.get_value("Pipeline Sales Stage", self.sales_stage, "probability")

	def get_parties(self) -> list[tuple[str, str]]:
		"""(party type, party name) of this opportunity, and of the stored one when it differs."""
		parties = [(self.get("opportunity_from"), self.get("party_name"))]
		if self.name and not self.is_new():
			stored = frappe.db.get_value(self.doctype, self.name, ["opportunity_from", "party_name"])
			if stored:
				parties.append(tuple(stored))
		return parties

	def keep_values_set_by_server(self):
		"""The status, the lost reasons and the lost detail move only through the methods below and
		the quotations; values sent by the client are replaced by the stored ones."""
		if self.flags.status_set_by_server:
			return
		previous = self.get_doc_before_save()
		if not previous:
			self.status = "Open"
			self.set("lost_reasons", [])
			self.order_lost_reason = None
			return
		self.status = previous.status
		self.order_lost_reason = previous.order_lost_reason
		stored_reasons = [row.lost_reason for row in previous.lost_reasons]
		if [row.lost_reason for row in self.lost_reasons] != stored_reasons:
			self.set("lost_reasons", [{"lost_reason": reason} for reason in stored_reasons])

	def set_status(self, status: str, ignore_permissions: bool = False):
		self.status = status
		self.flags.status_set_by_server = True
		self.flags.ignore_permissions = ignore_permissions
		try:
			self.save()
		finally:
			self.flags.status_set_by_server = False

	def update_lead_statuses(self):
		"""The lead follows its opportunity's status; when the party changed, the previous lead is
		updated too. A save that moves neither leaves the leads alone."""
		previous = self.get_doc_before_save()
		party_moved = previous and (previous.opportunity_from, previous.party_name) != (
			self.opportunity_from,
			self.party_name,
		)
		if previous and not party_moved and previous.status == self.status:
			return
		if self.opportunity_from == "Pipeline Lead":
			update_lead_status(self.party_name)
		if party_moved and previous.opportunity_from == "Pipeline Lead":
			update_lead_status(previous.party_name)

	def lock_for_update(self):
		"""Lock the lead, then this opportunity (load_from_db), and reload it: whitelisted methods
		decide from the latest stored opportunity, never from the copy the request carries."""
		reload_for_update(self)

	def get_quotation_statuses(self, docstatus: int | None = None) -> list[frappe._dict]:
		"""Name, docstatus and status of this opportunity's quotations, read with a lock: every
		writer of a quotation locks this opportunity first, so what is read here is what the others
		have committed, not this transaction's older snapshot."""
		Quotation = frappe.qb.DocType("Pipeline Quotation")
		query = (
			frappe.qb.from_(Quotation)
			.select(Quotation.name, Quotation.docstatus, Quotation.status)
			.where(Quotation.opportunity == self.name)
			.orderby(Quotation.name)
			.for_update()
		)
		if docstatus is not None:
			query = query.where(Quotation.docstatus == docstatus)
		return query.run(as_dict=True)

	def get_active_quotations(self) -> list[str]:
		return [
			row.name
			for row in self.get_quotation_statuses(docstatus=1)
			if row.status in ACTIVE_QUOTATION_STATUSES
		]

	def get_status_from_quotations(self, current_status: str) -> str:
		"""Converted when a quotation is ordered, Quotation when one is open, Open when none is left."""
		quotation_statuses = {row.status for row in self.get_quotation_statuses(docstatus=1)}
		if "Ordered" in quotation_statuses:
			return "Converted"
		if "Open" in quotation_statuses:
			return "Quotation"
		if current_status in ("Quotation", "Converted"):
			return "Open"
		return current_status

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def declare_enquiry_lost(self, lost_reasons_list: list | None, detailed_reason: str | None = None):
		"""Mark the opportunity Lost with one or more Pipeline Lost Reasons."""
		self.lock_for_update()
		self.check_permission("write")
		reasons = parse_lost_reasons(lost_reasons_list)
		if self.status in ("Lost", "Converted"):
			frappe.throw(
				_("Opportunity {0} is already {1}").format(frappe.bold(self.name), _(self.status)),
				frappe.ValidationError,
				title=_("Cannot Declare Lost"),
			)
		active_quotations = self.get_active_quotations()
		if active_quotations:
			frappe.throw(
				_(
					"Quotation {0} of this opportunity is still active. Cancel it before declaring the opportunity lost."
				).format(
					", ".join(get_link_to_form("Pipeline Quotation", name) for name in active_quotations)
				),
				frappe.ValidationError,
				title=_("Cannot Declare Lost"),
			)
		self.set("lost_reasons", [{"lost_reason": reason} for reason in reasons])
		self.order_lost_reason = (detailed_reason or "").strip() or None
		self.set_status("Lost")

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def close_opportunity(self):
		self.lock_for_update()
		self.check_permission("write")
		if self.status not in ("Open", "Replied", "Quotation"):
			frappe.throw(
				_("An opportunity that is {0} cannot be closed").format(_(self.status)),
				frappe.ValidationError,
				title=_("Cannot Close"),
			)
		self.set_status("Closed")

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def reopen_opportunity(self):
		self.lock_for_update()
		self.check_permission("write")
		if self.status not in UNQUOTABLE_STATUSES:
			frappe.throw(
				_("Only a Lost or Closed opportunity can be reopened; this one is {0}").format(
					_(self.status)
				),
				frappe.ValidationError,
				title=_("Cannot Reopen"),
			)
		self.set("lost_reasons", [])
		self.order_lost_reason = None
		# A closed opportunity may still have an open or ordered quotation.
		self.set_status(self.get_status_from_quotations("Open"))

	@frappe.whitelist(methods=["POST"])
	@retry_on_deadlock
	def complete_follow_up(
		self,
		note: str | None = None,
		next_contact_by: str | None = None,
		next_contact_date: str | None = None,
	):
		"""The current follow-up is done: recorded with the note, its Event Completed, and the next
		follow-up set (or none)."""
		self.lock_for_update()
		self.check_permission("write")
		complete_follow_up(self, note, next_contact_by, next_contact_date)

	def notify_communication(self, communication):
		"""Frappe calls this for every email on the opportunity: an email sent to the party from an
		Open opportunity makes it Replied (and a reply received makes it Open again, in Frappe)."""
		if communication.sent_or_received != "Sent":
			return
		self.lock_for_update()
		if self.status == "Open":
			self.set_status("Replied", ignore_permissions=True)


def update_status_from_quotations(
	opportunity_name: str, lost_reasons: list[str] | None = None, detailed_reason: str | None = None
) -> None:
	"""Called when one of the opportunity's quotations is submitted, ordered, lost or cancelled, by
	a writer that locked the opportunity before the quotation. Lost and Closed are set by hand and
	kept. A quotation set as lost passes its reasons: when no active quotation is left, the
	opportunity is lost with them."""
	opportunity = frappe.get_doc("Pipeline Opportunity", opportunity_name, for_update=True)
	if opportunity.status in UNQUOTABLE_STATUSES:
		return
	if lost_reasons and not opportunity.get_active_quotations():
		opportunity.set("lost_reasons", [{"lost_reason": reason} for reason in lost_reasons])
		opportunity.order_lost_reason = detailed_reason
		# A consequence of the quotation the user declared lost (its submit right was checked
		# there), not an edit of the opportunity.
		opportunity.set_status("Lost", ignore_permissions=True)
		return
	status = opportunity.get_status_from_quotations(opportunity.status)
	if status != opportunity.status:
		# A consequence of the quotation the user acted on, not an edit of the opportunity.
		opportunity.set_status(status, ignore_permissions=True)


def parse_lost_reasons(lost_reasons_list) -> list[str]:
	"""Names of the Pipeline Lost Reasons in [{"lost_reason": name}, ...], each checked to exist."""
	reasons = []
	for row in lost_reasons_list or []:
		reason = row.get("lost_reason") if isinstance(row, dict) else None
		if not reason or not frappe.db.exists("Pipeline Lost Reason", reason):
			frappe.throw(
				_("Lost Reasons: {0} is not a Pipeline Lost Reason").format(frappe.bold(reason or row)),
				frappe.ValidationError,
				title=_("Invalid Lost Reason"),
			)
		if reason not in reasons:
			reasons.append(reason)
	if not reasons:
		frappe.throw(
			_("Lost Reasons: choose at least one reason"),
			frappe.ValidationError,
			title=_("Lost Reason Required"),
		)
	return reasons


def validate_opportunity_can_be_quoted(opportunity, action: str) -> None:
	if opportunity.status in UNQUOTABLE_STATUSES:
		frappe.throw(
			_("Opportunity {0} is {1}. Reopen it before quoting.").format(
				frappe.bold(opportunity.name), _(opportunity.status)
			),
			frappe.ValidationError,
			title=action,
		)


# The copy-over of make_quotation and make_supplier_quotation, kept as data so that the tests
# can check every mapped field exists on both sides.
ITEM_FIELD_MAP = {
	"item_code": "item_code",
	"item_name": "item_name",
	"description": "description",
	"qty": "qty",
	"uom": "uom",
	"name": "opportunity_item",
}

QUOTATION_MAPPING = {
	"Pipeline Opportunity": {
		"doctype": "Pipeline Quotation",
		"field_map": {
			"opportunity_from": "quotation_to",
			"party_name": "party_name",
			"customer_name": "customer_name",
			"currency": "currency",
			"contact_name": "contact_name",
			"contact_person": "contact_person",
			"contact_email": "contact_email",
			"contact_mobile": "contact_mobile",
			"name": "opportunity",
		},
		"field_no_map": ["transaction_date", "valid_till", "status", "title", "total"],
	},
	"Pipeline Opportunity Item": {
		"doctype": "Pipeline Quotation Item",
		"field_map": {**ITEM_FIELD_MAP, "rate": "rate", "amount": "amount"},
	},
}

SUPPLIER_QUOTATION_MAPPING = {
	"Pipeline Opportunity": {
		"doctype": "Pipeline Supplier Quotation",
		"field_map": {"name": "opportunity"},
		# The supplier quotes in its own terms: not the customer's date, currency or total.
		"field_no_map": ["transaction_date", "valid_till", "status", "title", "currency", "total"],
	},
	"Pipeline Opportunity Item": {
		"doctype": "Pipeline Supplier Quotation Item",
		"field_map": ITEM_FIELD_MAP,
		# The supplier's rates are what the user collects.
		"field_no_map": ["rate", "amount"],
	},
}


def set_quotation_defaults(source, target):
	"""After mapping: the validity (and a quotation's terms) from Pipeline Settings and the amounts
	of the copied items."""
	set_default_valid_till(target)
	if target.meta.has_field("terms"):
		set_default_terms(target)
	set_amounts_and_total(target)


@frappe.whitelist()
def make_quotation(source_name: str, target_doc: str | Document | None = None) -> Document:
	"""A new, unsaved Pipeline Quotation to the opportunity's party, with its items."""
	opportunity, target_doc = prepare_mapping(
		"Pipeline Opportunity", source_name, "Pipeline Quotation", target_doc
	)
	validate_opportunity_can_be_quoted(opportunity, _("Cannot Create Quotation"))

	return map_from_loaded_doc(opportunity, QUOTATION_MAPPING, target_doc, set_quotation_defaults)


@frappe.whitelist()
def make_supplier_quotation(source_name: str, target_doc: str | Document | None = None) -> Document:
	"""A new, unsaved Pipeline Supplier Quotation asking for the opportunity's items."""
	opportunity, target_doc = prepare_mapping(
		"Pipeline Opportunity", source_name, "Pipeline Supplier Quotation", target_doc
	)
	validate_opportunity_can_be_quoted(opportunity, _("Cannot Create Supplier Quotation"))
	if not opportunity.items:
		frappe.throw(
			_("Opportunity {0} has no items to ask a supplier for. Add items first.").format(
				frappe.bold(opportunity.name)
			),
			frappe.ValidationError,
			title=_("Cannot Create Supplier Quotation"),
		)

	return map_from_loaded_doc(opportunity, SUPPLIER_QUOTATION_MAPPING, target_doc, set_quotation_defaults)


def close_replied_opportunities():
	"""Daily: close opportunities left Replied (the customer never answered) for the number of days
	Pipeline Settings gives; 0 turns it off."""
	days = cint(frappe.db.get_single_value("Pipeline Settings", "close_opportunity_after_days"))
	if days <= 0:
		return
	cutoff = add_days(now_datetime(), -days)
	for name in frappe.get_all(
		"Pipeline Opportunity", filters={"status": "Replied", "modified": ("<", cutoff)}, pluck="name"
	):
		# One opportunity that cannot be saved is logged and skipped; the others are closed.
		frappe.db.savepoint("close_replied_opportunity")
		try:
			opportunity = frappe.get_doc("Pipeline Opportunity", name)
			opportunity.set_status("Closed", ignore_permissions=True)
			opportunity.add_comment(
				"Info", _("Closed automatically: no reply for {0} days after the last email.").format(days)
			)
		except Exception:
			frappe.db.rollback(save_point="close_replied_opportunity")
			frappe.log_error(
				title=_("Could not close opportunity {0}").format(name),
				reference_doctype="Pipeline Opportunity",
				reference_name=name,
			)


def on_doctype_update():
	# The list opens sorted by creation; the Open Pipeline Amount card reads an index (indexes.py).
	add_indexes("Pipeline Opportunity")
