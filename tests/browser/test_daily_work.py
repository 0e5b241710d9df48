"""A salesperson's day in the desk: a follow-up marked done, a quoted deal lost."""

import frappe
import pytest
from frappe.utils import add_days, get_datetime, now_datetime
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_desk_flow import (
	action_button,
	delete_without_trace,
	form,
	log_in,
	status_indicator,
)

pytestmark = pytest.mark.browser


def remove_follow_up_records(doc) -> None:
	"""Delete the document's comments, Events, notifications and follow-up row with it."""
	frappe.db.delete("Comment", {"reference_doctype": doc.doctype, "reference_name": doc.name})
	delete_without_trace(doc.doctype, doc.name)


@pytest.fixture
def committed_follow_up():
	"""An opportunity of a new lead with a follow-up by the sales user tomorrow, committed; removed
	afterwards with its Events and comments."""
	lead = factories.make_lead()
	when = add_days(now_datetime(), 1).replace(hour=10, minute=0, second=0, microsecond=0)
	opportunity = factories.make_opportunity(
		lead, items=None, contact_by=factories.SALES_USER, contact_date=when
	)
	frappe.db.commit()  # nosemgrep
	yield opportunity
	frappe.db.rollback()
	frappe.set_user("Administrator")
	remove_follow_up_records(frappe.get_doc(opportunity.doctype, opportunity.name))
	delete_without_trace("Pipeline Lead", lead.name)
	frappe.db.commit()  # nosemgrep


def test_follow_up_done_records_the_outcome_and_plans_the_next(
	page, committed_follow_up, browser_errors, step_screenshot
):
	"""The sales user opens "Follow-up done", types the outcome, keeps the prefilled next follow-up
	(same user, next working day) and sees the note on the timeline and the new date on the form."""
	opportunity = committed_follow_up
	log_in(page, factories.SALES_USER)
	opportunity_form = form(page, "Pipeline Opportunity")
	page.goto(f"/app/pipeline-opportunity/{opportunity.name}")
	expect(status_indicator(opportunity_form)).to_have_text("Open")
	page.wait_for_load_state("networkidle")
	action_button(opportunity_form, "Follow-up done").click()

	dialog = page.locator(".modal:visible")
	expect(dialog.locator(".modal-title")).to_have_text("Follow-up done")
	expect(dialog.locator('input[data-fieldname="next_contact_by"]')).to_have_value(factories.SALES_USER)
	expect(dialog.locator('input[data-fieldname="next_contact_date"]')).not_to_have_value("")
	dialog.locator('textarea[data-fieldname="note"]').fill("Called: they want a demo next week")
	step_screenshot("dialog")
	dialog.get_by_role("button", name="Done").click()
	expect(dialog).to_be_hidden()
	expect(opportunity_form.locator(".timeline-content").filter(has_text="they want a demo")).to_have_count(1)
	page.wait_for_load_state("networkidle")
	step_screenshot("done")

	frappe.db.rollback()  # see what the server committed
	stored = frappe.get_doc("Pipeline Opportunity", opportunity.name)
	previous = get_datetime(opportunity.contact_date)
	assert stored.contact_by == factories.SALES_USER
	assert get_datetime(stored.contact_date) > previous
	assert get_datetime(stored.contact_date).weekday() < 5
	assert get_datetime(stored.contact_date).time() == previous.time()
	statuses = frappe.get_all(
		"Event",
		filters=[
			["Event Participants", "reference_doctype", "=", opportunity.doctype],
			["Event Participants", "reference_docname", "=", opportunity.name],
		],
		pluck="status",
		distinct=True,
	)
	assert sorted(statuses) == ["Completed", "Open"]
	assert not browser_errors.from_app(), str(browser_errors)


@pytest.fixture
def committed_quotation():
	"""A submitted Open quotation of a lead's opportunity and a lost reason, committed; removed
	afterwards."""
	lead = factories.make_lead()
	opportunity = factories.make_opportunity(lead)
	from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
		make_quotation,
	)

	quotation = make_quotation(opportunity.name).insert()
	quotation.submit()
	reason = factories.make_lost_reason()
	items = [row.item_code for row in opportunity.items]
	frappe.db.commit()  # nosemgrep
	yield quotation, reason
	frappe.db.rollback()
	frappe.set_user("Administrator")
	stored = frappe.get_doc("Pipeline Quotation", quotation.name)
	if stored.docstatus == 1:
		stored.cancel()
	frappe.db.delete("Comment", {"reference_doctype": "Pipeline Quotation", "reference_name": quotation.name})
	delete_without_trace("Pipeline Quotation", quotation.name)
	delete_without_trace("Pipeline Opportunity", opportunity.name)
	delete_without_trace("Pipeline Lead", lead.name)
	delete_without_trace("Pipeline Lost Reason", reason.name)
	for item in items:
		delete_without_trace("Pipeline Item", item)
	frappe.db.commit()  # nosemgrep


def test_a_sales_user_sets_a_quotation_as_lost(page, committed_quotation, browser_errors, step_screenshot):
	"""On a submitted Open quotation the sales user picks a lost reason in "Set as Lost": the
	quotation shows Lost, and its opportunity (no other quotation) is Lost with that reason."""
	quotation, reason = committed_quotation
	log_in(page, factories.SALES_USER)
	quotation_form = form(page, "Pipeline Quotation")
	page.goto(f"/app/pipeline-quotation/{quotation.name}")
	expect(status_indicator(quotation_form)).to_have_text("Open")
	page.wait_for_load_state("networkidle")
	action_button(quotation_form, "Set as Lost").click()

	dialog = page.locator(".modal:visible")
	expect(dialog.locator(".modal-title")).to_have_text("Set as Lost")
	reasons = dialog.locator('.frappe-control[data-fieldname="lost_reasons"] input')
	reasons.fill(reason.name[:12])
	page.get_by_role("option").filter(has_text=reason.name).first.click()
	dialog.locator('textarea[data-fieldname="detailed_reason"]').fill("Chose a local supplier")
	step_screenshot("dialog")
	dialog.get_by_role("button", name="Declare Lost").click()
	expect(dialog).to_be_hidden()
	expect(status_indicator(quotation_form)).to_have_text("Lost")
	expect(action_button(quotation_form, "Set as Lost")).to_have_count(0)
	page.wait_for_load_state("networkidle")
	step_screenshot("lost")

	frappe.db.rollback()  # see what the server committed
	assert frappe.db.get_value("Pipeline Quotation", quotation.name, "status") == "Lost"
	opportunity = frappe.get_doc("Pipeline Opportunity", quotation.opportunity)
	assert opportunity.status == "Lost"
	assert [row.lost_reason for row in opportunity.lost_reasons] == [reason.name]
	assert not browser_errors.from_app(), str(browser_errors)


@pytest.fixture
def committed_follow_ups_of_two_users():
	"""Follow-ups tomorrow for the sales user and a colleague, committed; removed afterwards."""
	when = add_days(now_datetime(), 1).replace(hour=10, minute=0, second=0, microsecond=0)
	docs = [
		factories.make_opportunity(items=None, contact_by=user, contact_date=when)
		for user in (factories.SALES_USER, factories.SALES_USER_2)
	]
	frappe.db.commit()  # nosemgrep
	yield docs
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for doc in docs:
		remove_follow_up_records(frappe.get_doc(doc.doctype, doc.name))
		delete_without_trace("Pipeline Lead", doc.party_name)
	frappe.db.commit()  # nosemgrep


def test_the_follow_up_calendar_opens_on_my_follow_ups(
	page, committed_follow_ups_of_two_users, browser_errors, step_screenshot
):
	"""The opportunity calendar shows the sales user's own follow-up, not the colleague's."""
	mine, theirs = committed_follow_ups_of_two_users
	log_in(page, factories.SALES_USER)
	page.goto("/app/pipeline-opportunity/view/calendar/default")
	calendar = page.locator(".fc-view-container")
	expect(calendar.locator(".fc-event").filter(has_text=mine.title).first).to_be_visible()
	page.wait_for_load_state("networkidle")
	step_screenshot("calendar")
	expect(calendar.locator(".fc-event").filter(has_text=theirs.title)).to_have_count(0)
	assert not browser_errors.from_app(), str(browser_errors)
