"""The opportunity's history in the desk: reached from the form's connections, read-only."""

import frappe
import pytest
from playwright.sync_api import expect

from sales_pipeline.sales_pipeline.history import HISTORY_DOCTYPE
from tests import factories
from tests.browser.test_desk_flow import delete_without_trace, form, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_history():
	"""An opportunity of the sales user moved from one stage to another, committed; removed after."""
	first, second = (factories.make_sales_stage(sort_order=order) for order in (1, 2))
	opportunity = factories.make_opportunity(
		items=0, sales_stage=first.name, opportunity_owner=factories.SALES_USER
	)
	opportunity.sales_stage = second.name
	opportunity.save()
	frappe.db.commit()  # nosemgrep
	yield opportunity, second
	frappe.db.rollback()
	frappe.set_user("Administrator")
	delete_without_trace("Pipeline Opportunity", opportunity.name)
	delete_without_trace("Pipeline Lead", opportunity.party_name)
	for stage in (first, second):
		delete_without_trace("Pipeline Sales Stage", stage.name)
	frappe.db.commit()  # nosemgrep


def test_a_sales_user_opens_the_history_from_the_opportunity(
	page, committed_history, browser_errors, step_screenshot
):
	opportunity, stage = committed_history
	log_in(page, factories.SALES_USER)
	page.goto(f"/app/pipeline-opportunity/{opportunity.name}")
	opportunity_form = form(page, "Pipeline Opportunity")
	link = opportunity_form.locator(f'.document-link[data-doctype="{HISTORY_DOCTYPE}"]')
	expect(link.locator(".count")).to_have_text("2")
	step_screenshot("form")
	link.locator(".badge-link").click()

	history_list = page.locator(f'div.page-container[data-page-route="List/{HISTORY_DOCTYPE}/List"]:visible')
	expect(history_list.locator(".list-row-container")).to_have_count(2)
	expect(history_list.locator(".list-row-container").first).to_contain_text(stage.name)
	# Written by the server only: no way to add a row by hand.
	expect(history_list.locator(".primary-action:visible")).to_have_count(0)
	step_screenshot("list")
	assert not browser_errors.from_app(), browser_errors
