"""Status moves with the deal, both ways, and the lead follows its opportunity."""

import frappe
import pytest
from frappe.utils import add_days, now_datetime

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	close_replied_opportunities,
	make_quotation,
)
from tests import factories


def lead_status(lead) -> str:
	return frappe.db.get_value("Pipeline Lead", lead.name, "status")


def opportunity_status(opportunity) -> str:
	return frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status")


def submitted_quotation(opportunity):
	quotation = make_quotation(opportunity.name).insert()
	quotation.submit()
	return quotation


def lost_reasons(count=1):
	return [{"lost_reason": factories.make_lost_reason().name} for _ in range(count)]


@pytest.fixture
def lead_opportunity():
	lead = factories.make_lead()
	return lead, factories.make_opportunity(lead)


class TestLeadFollowsItsOpportunity:
	def test_new_lead_starts_as_lead(self):
		assert factories.make_lead().status == "Lead"

	def test_opportunity_moves_the_lead_to_opportunity(self, lead_opportunity):
		lead, _opportunity = lead_opportunity
		assert lead_status(lead) == "Opportunity"

	def test_deleting_the_only_opportunity_returns_the_lead_to_open(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		frappe.delete_doc("Pipeline Opportunity", opportunity.name)
		assert lead_status(lead) == "Open"

	def test_moving_the_opportunity_to_another_party_releases_the_first_lead(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		other = factories.make_lead()
		opportunity.party_name = other.name
		opportunity.save()
		assert lead_status(lead) == "Open"
		assert lead_status(other) == "Opportunity"

	def test_the_client_cannot_set_a_pipeline_status_on_the_lead(self, lead_opportunity):
		lead, _opportunity = lead_opportunity
		lead.reload()
		lead.status = "Converted"
		lead.save()
		assert lead_status(lead) == "Opportunity"

	def test_do_not_contact_set_by_hand_is_kept(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		lead.reload()
		lead.status = "Do Not Contact"
		lead.save()
		submitted_quotation(opportunity)
		assert lead_status(lead) == "Do Not Contact"


class TestQuotationMovesTheOpportunity:
	def test_submitting_a_quotation_moves_opportunity_and_lead_to_quotation(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		quotation = submitted_quotation(opportunity)
		assert quotation.status == "Open"
		assert opportunity_status(opportunity) == "Quotation"
		assert lead_status(lead) == "Quotation"

	def test_a_draft_quotation_does_not_move_it(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		make_quotation(opportunity.name).insert()
		assert opportunity_status(opportunity) == "Open"

	def test_cancelling_the_last_active_quotation_moves_it_back_to_open(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		quotation = submitted_quotation(opportunity)
		quotation.cancel()
		assert frappe.db.get_value("Pipeline Quotation", quotation.name, "status") == "Cancelled"
		assert opportunity_status(opportunity) == "Open"
		assert lead_status(lead) == "Opportunity"

	def test_cancelling_one_of_two_active_quotations_keeps_quotation(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		first = submitted_quotation(opportunity)
		submitted_quotation(opportunity)
		first.cancel()
		assert opportunity_status(opportunity) == "Quotation"

	def test_an_ordered_quotation_converts_opportunity_and_lead(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		quotation = submitted_quotation(opportunity)
		quotation.set_as_ordered()
		assert frappe.db.get_value("Pipeline Quotation", quotation.name, "status") == "Ordered"
		assert opportunity_status(opportunity) == "Converted"
		assert lead_status(lead) == "Converted"

	def test_cancelling_the_ordered_quotation_undoes_the_conversion(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		quotation = submitted_quotation(opportunity)
		quotation.set_as_ordered()
		quotation.reload()
		quotation.cancel()
		assert opportunity_status(opportunity) == "Open"
		assert lead_status(lead) == "Opportunity"

	def test_a_draft_quotation_cannot_be_ordered(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		quotation = make_quotation(opportunity.name).insert()
		with pytest.raises(frappe.ValidationError, match="submitted, open quotation"):
			quotation.set_as_ordered()

	def test_a_quotation_of_a_closed_opportunity_cannot_be_submitted(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		quotation = make_quotation(opportunity.name).insert()
		opportunity.reload()
		opportunity.close_opportunity()
		with pytest.raises(frappe.ValidationError, match="Reopen it before quoting"):
			quotation.submit()
		assert frappe.db.get_value("Pipeline Quotation", quotation.name, "docstatus") == 0


class TestLost:
	def test_declare_lost_stores_reasons_and_detail(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		reasons = lost_reasons(2)
		opportunity.declare_enquiry_lost(reasons, detailed_reason="Went with the cheaper offer")
		stored = frappe.get_doc("Pipeline Opportunity", opportunity.name)
		assert stored.status == "Lost"
		assert [row.lost_reason for row in stored.lost_reasons] == [r["lost_reason"] for r in reasons]
		assert stored.order_lost_reason == "Went with the cheaper offer"
		assert lead_status(lead) == "Lost Quotation"

	def test_refused_while_a_quotation_is_active(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		submitted_quotation(opportunity)
		opportunity.reload()
		with pytest.raises(frappe.ValidationError, match="still active"):
			opportunity.declare_enquiry_lost(lost_reasons())
		assert opportunity_status(opportunity) == "Quotation"

	def test_allowed_once_the_quotation_is_cancelled(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		submitted_quotation(opportunity).cancel()
		opportunity.reload()
		opportunity.declare_enquiry_lost(lost_reasons())
		assert opportunity_status(opportunity) == "Lost"

	@pytest.mark.parametrize("bad", [[], [{"lost_reason": "No Such Reason"}], ["Price too high"], None])
	def test_refused_without_valid_reasons(self, lead_opportunity, bad):
		_lead, opportunity = lead_opportunity
		with pytest.raises(frappe.ValidationError, match="Lost Reason"):
			opportunity.declare_enquiry_lost(bad)
		assert opportunity_status(opportunity) == "Open"
		assert not frappe.get_all("Pipeline Lost Reason Detail", filters={"parent": opportunity.name})

	def test_a_converted_opportunity_cannot_be_lost(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		submitted_quotation(opportunity).set_as_ordered()
		opportunity.reload()
		with pytest.raises(frappe.ValidationError, match="already Converted"):
			opportunity.declare_enquiry_lost(lost_reasons())


class TestCloseAndReopen:
	def test_close_and_reopen(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		opportunity.close_opportunity()
		assert opportunity_status(opportunity) == "Closed"
		assert lead_status(lead) == "Opportunity"
		opportunity.reload()
		opportunity.reopen_opportunity()
		assert opportunity_status(opportunity) == "Open"

	def test_reopening_a_lost_opportunity_clears_its_reasons(self, lead_opportunity):
		lead, opportunity = lead_opportunity
		opportunity.declare_enquiry_lost(lost_reasons(), detailed_reason="budget")
		opportunity.reload()
		opportunity.reopen_opportunity()
		stored = frappe.get_doc("Pipeline Opportunity", opportunity.name)
		assert (stored.status, stored.lost_reasons, stored.order_lost_reason) == ("Open", [], None)
		assert lead_status(lead) == "Opportunity"

	def test_reopening_a_closed_opportunity_with_an_open_quotation_gives_quotation(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		submitted_quotation(opportunity)
		opportunity.reload()
		opportunity.close_opportunity()
		opportunity.reopen_opportunity()
		assert opportunity_status(opportunity) == "Quotation"

	def test_an_open_opportunity_cannot_be_reopened(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		with pytest.raises(frappe.ValidationError, match="Only a Lost or Closed"):
			opportunity.reopen_opportunity()

	def test_a_closed_opportunity_cannot_be_closed_again(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		opportunity.close_opportunity()
		with pytest.raises(frappe.ValidationError, match="cannot be closed"):
			opportunity.close_opportunity()

	def test_the_client_cannot_set_the_status(self, lead_opportunity):
		"""A status sent with a save is replaced by the stored one."""
		_lead, opportunity = lead_opportunity
		opportunity.status = "Converted"
		opportunity.save()
		assert opportunity_status(opportunity) == "Open"
		forged = factories.make_opportunity(status="Lost")
		assert forged.status == "Open"


class TestRepliedAndAutoClose:
	def send_email(self, opportunity):
		return frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"subject": "Our offer",
				"content": "Please find our offer.",
				"recipients": opportunity.contact_email or factories.fake.email(),
				"reference_doctype": opportunity.doctype,
				"reference_name": opportunity.name,
			}
		).insert(ignore_permissions=True)

	def test_an_email_sent_from_an_open_opportunity_makes_it_replied(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		self.send_email(opportunity)
		assert opportunity_status(opportunity) == "Replied"

	def test_replied_opportunities_are_closed_after_the_configured_days(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		self.send_email(opportunity)
		untouched = factories.make_opportunity()
		self.send_email(untouched)
		old = add_days(now_datetime(), -20)
		frappe.db.set_value("Pipeline Opportunity", opportunity.name, "modified", old, update_modified=False)
		close_replied_opportunities()
		assert opportunity_status(opportunity) == "Closed"
		assert opportunity_status(untouched) == "Replied"

	def test_auto_close_is_off_at_zero_days(self, lead_opportunity):
		_lead, opportunity = lead_opportunity
		self.send_email(opportunity)
		frappe.db.set_single_value("Pipeline Settings", "close_opportunity_after_days", 0)
		old = add_days(now_datetime(), -400)
		frappe.db.set_value("Pipeline Opportunity", opportunity.name, "modified", old, update_modified=False)
		close_replied_opportunities()
		assert opportunity_status(opportunity) == "Replied"
