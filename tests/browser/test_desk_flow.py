"""A sales user works a deal through the desk, in headless Chromium against the served test site."""

import re

import frappe
import pytest
from playwright.sync_api import Locator, Page, expect

from tests import factories

pytestmark = pytest.mark.browser


def delete_without_trace(doctype: str, name: str) -> None:
	"""Delete as if it had never been made: no Deleted Document, no "Deleted" comment in the feed."""
	frappe.delete_doc(doctype, name, force=True, delete_permanently=True)
	frappe.db.delete(
		"Comment", {"comment_type": "Deleted", "reference_doctype": doctype, "subject": f"{doctype} {name}"}
	)


@pytest.fixture
def committed_lead():
	"""A lead and two items the server process can see (committed). Afterwards everything made from
	them in the browser is removed too, and that is committed: the test site is left as it was."""
	lead = factories.make_lead()
	items = [factories.make_item(), factories.make_item()]
	frappe.db.commit()  # nosemgrep
	yield lead, items
	frappe.db.rollback()
	frappe.set_user("Administrator")
	opportunities = frappe.get_all(
		"Pipeline Opportunity",
		filters={"opportunity_from": "Pipeline Lead", "party_name": lead.name},
		pluck="name",
	)
	quotations = frappe.get_all(
		"Pipeline Quotation",
		filters={"opportunity": ("in", opportunities or [""])},
		fields=["name", "docstatus"],
	)
	for quotation in quotations:
		if quotation.docstatus == 1:
			frappe.get_doc("Pipeline Quotation", quotation.name).cancel()
		delete_without_trace("Pipeline Quotation", quotation.name)
	for opportunity in opportunities:
		delete_without_trace("Pipeline Opportunity", opportunity)
	delete_without_trace("Pipeline Lead", lead.name)
	for item in items:
		delete_without_trace("Pipeline Item", item.name)
	frappe.db.commit()  # nosemgrep


def log_in(page: Page, user: str) -> None:
	"""Log in on Frappe's login page. Its fields are picked by id: on a site with ERPNext the page's
	footer has a second email field (the newsletter subscription)."""
	page.goto("/login")
	page.locator("#login_email").fill(user)
	page.locator("#login_password").fill(factories.TEST_PASSWORD)
	page.get_by_role("button", name="Login", exact=True).click()
	page.wait_for_url(re.compile(r"/app(/|$)"))


def form(page: Page, doctype: str) -> Locator:
	"""The form of `doctype` while it is on show. Frappe keeps one page per DocType in the document,
	hidden when another is shown; after a click that opens another form, the previous one stays on
	show until the new one is rendered."""
	return page.locator(f'div.page-container[data-page-route="{doctype}"]:visible')


def status_indicator(form: Locator) -> Locator:
	return form.locator(".page-head .indicator-pill")


def field(form: Locator, fieldname: str) -> Locator:
	return form.locator(f'.frappe-control[data-fieldname="{fieldname}"]')


def money(amount: float) -> str:
	return f"{amount:,.2f}"


def click_create(form: Locator, label: str) -> None:
	form.get_by_role("button", name="Create").click()
	form.get_by_role("link", name=label, exact=True).click()


def add_item_row(form: Locator, item_code: str, qty: int) -> None:
	"""Add a row to the items table, pick the item in its link field and type the quantity."""
	items = field(form, "items")
	items.get_by_role("button", name="Add Row").click()
	row = items.locator(".grid-body .grid-row").last
	row.locator('.grid-static-col[data-fieldname="item_code"]').click()
	row.locator('input[data-fieldname="item_code"]').fill(item_code)
	row.get_by_role("option").filter(has_text=item_code).first.click()
	row.locator('.grid-static-col[data-fieldname="qty"]').click()
	row.locator('input[data-fieldname="qty"]').fill(str(qty))
	row.locator('input[data-fieldname="qty"]').press("Tab")


def test_a_sales_user_quotes_a_lead_and_sees_the_opportunity_move_to_quotation(
	page, committed_lead, browser_errors, step_screenshot
):
	"""A sales user creates an opportunity with two items from a lead, quotes it and submits the
	quotation, and the opportunity and lead forms, opened again, then show the status Quotation."""
	lead, items = committed_lead
	quantities = [3, 2]
	total = sum(item.standard_rate * qty for item, qty in zip(items, quantities, strict=True))
	log_in(page, factories.SALES_USER)
	lead_form = form(page, "Pipeline Lead")
	opportunity_form = form(page, "Pipeline Opportunity")
	quotation_form = form(page, "Pipeline Quotation")

	page.goto(f"/app/pipeline-lead/{lead.name}")
	expect(status_indicator(lead_form)).to_have_text("Lead")
	step_screenshot("lead")
	click_create(lead_form, "Opportunity")

	expect(status_indicator(opportunity_form)).to_have_text("Not Saved")
	expect(field(opportunity_form, "party_name").locator("input")).to_have_value(lead.company_name)
	for item, qty in zip(items, quantities, strict=True):
		add_item_row(opportunity_form, item.item_code, qty)
	# The rates come from the items, the total from the rows, before anything is saved.
	expect(field(opportunity_form, "total")).to_contain_text(money(total))
	step_screenshot("new-opportunity")
	page.keyboard.press("Control+s")
	page.wait_for_url(re.compile(r"/app/pipeline-opportunity/OPP-[\d-]+$"))
	opportunity_name = page.url.rsplit("/", 1)[1]
	expect(status_indicator(opportunity_form)).to_have_text("Open")
	step_screenshot("opportunity")

	click_create(opportunity_form, "Quotation")
	expect(status_indicator(quotation_form)).to_have_text("Not Saved")
	expect(field(quotation_form, "total")).to_contain_text(money(total))
	step_screenshot("new-quotation")
	quotation_form.get_by_role("button", name="Save", exact=True).click()
	page.wait_for_url(re.compile(r"/app/pipeline-quotation/QTN-[\d-]+$"))
	quotation_name = page.url.rsplit("/", 1)[1]
	expect(status_indicator(quotation_form)).to_have_text("Draft")
	quotation_form.get_by_role("button", name="Submit", exact=True).click()
	page.locator(".modal:visible").get_by_role("button", name="Yes").click()
	expect(status_indicator(quotation_form)).to_have_text("Open")
	step_screenshot("quotation-submitted")

	# Back to the opportunity through the quotation's link to it, as a sales user would go.
	field(quotation_form, "opportunity").get_by_role("link").click()
	page.wait_for_url(re.compile(rf"/app/pipeline-opportunity/{opportunity_name}$"))
	expect(status_indicator(opportunity_form)).to_have_text("Quotation")
	step_screenshot("opportunity-quoted")

	# And on to its lead, which the desk has kept since it showed it as Lead at the start.
	party = field(opportunity_form, "party_name")
	party.locator(".link-field").hover()
	party.get_by_title("Open Link").click()
	page.wait_for_url(re.compile(rf"/app/pipeline-lead/{lead.name}$"))
	expect(status_indicator(lead_form)).to_have_text("Quotation")
	step_screenshot("lead-quoted")

	frappe.db.rollback()  # see what the server committed
	opportunity = frappe.get_doc("Pipeline Opportunity", opportunity_name)
	assert (opportunity.status, opportunity.party_name, opportunity.owner) == (
		"Quotation",
		lead.name,
		factories.SALES_USER,
	)
	assert [(row.item_code, row.qty) for row in opportunity.items] == [
		(item.name, qty) for item, qty in zip(items, quantities, strict=True)
	]
	quotation = frappe.db.get_value(
		"Pipeline Quotation", quotation_name, ["docstatus", "opportunity", "total"]
	)
	assert quotation == (1, opportunity_name, total)
	assert frappe.db.get_value("Pipeline Lead", lead.name, "status") == "Quotation"
	assert not browser_errors.from_app(), str(browser_errors)


@pytest.fixture
def committed_deal():
	"""An Open opportunity and a submitted Open quotation of a customer, committed, both shared
	read-only with a user without sales roles; removed again (with their shares) afterwards."""
	customer = factories.make_customer()
	opportunity = factories.make_opportunity(party=customer)
	quotation = factories.make_quotation(party=customer, submit=True)
	for doc in (opportunity, quotation):
		frappe.share.add_docshare(
			doc.doctype, doc.name, factories.OUTSIDER, read=1, flags={"ignore_share_permission": True}
		)
	items = [row.item_code for doc in (opportunity, quotation) for row in doc.items]
	frappe.db.commit()  # nosemgrep
	yield opportunity, quotation
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.get_doc("Pipeline Quotation", quotation.name).cancel()
	delete_without_trace("Pipeline Quotation", quotation.name)
	delete_without_trace("Pipeline Opportunity", opportunity.name)
	delete_without_trace("Pipeline Customer", customer.name)
	for item in items:
		delete_without_trace("Pipeline Item", item)
	frappe.db.commit()  # nosemgrep


def action_button(form: Locator, label: str) -> Locator:
	return form.locator(".page-actions").get_by_role("button", name=label, exact=True)


@pytest.mark.parametrize(
	("user", "may_act"),
	[(factories.SALES_USER, True), (factories.OUTSIDER, False)],
	ids=["sales-user", "read-only-share"],
)
def test_form_actions_show_only_to_users_allowed_to_take_them(
	page, committed_deal, user, may_act, browser_errors, step_screenshot
):
	"""A sales user gets Create and Status on an opportunity and Mark as Ordered on a submitted
	quotation; a user who may only read them (a read-only share, no sales role) gets none of them."""
	opportunity, quotation = committed_deal
	log_in(page, user)
	opportunity_form = form(page, "Pipeline Opportunity")
	quotation_form = form(page, "Pipeline Quotation")
	expected_count = 1 if may_act else 0

	page.goto(f"/app/pipeline-opportunity/{opportunity.name}")
	expect(status_indicator(opportunity_form)).to_have_text("Open")
	# The buttons come with the form's refresh; wait until it has stopped asking the server.
	page.wait_for_load_state("networkidle")
	step_screenshot("opportunity")
	for label in ("Create", "Status"):
		expect(action_button(opportunity_form, label)).to_have_count(expected_count)

	page.goto(f"/app/pipeline-quotation/{quotation.name}")
	expect(status_indicator(quotation_form)).to_have_text("Open")
	page.wait_for_load_state("networkidle")
	step_screenshot("quotation")
	expect(action_button(quotation_form, "Mark as Ordered")).to_have_count(expected_count)
	assert not browser_errors.from_app(), str(browser_errors)
