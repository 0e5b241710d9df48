"""Report filters taken from a link run no script, and a Sales Manager without Sales User picks a
currency on the opportunity form; in headless Chromium against the served test site."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.test_desk_flow import field, form, log_in

pytestmark = pytest.mark.browser

PAYLOAD = "<img src=x onerror=window.__xss=1>"


def open_report_with_route_filter(page: Page, report_name: str, fieldname: str) -> None:
	page.goto(f"/app/query-report/{quote(report_name)}?{fieldname}={quote(PAYLOAD)}")
	expect(page.locator(f'.page-form .frappe-control[data-fieldname="{fieldname}"]')).to_be_visible()
	# Frappe sets the route's filters, then runs the report: wait until it has.
	page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
	("report_name", "fieldname"),
	[
		("Sales Pipeline Forecast", "to_date"),
		("Sales Pipeline Forecast", "from_date"),
		("Pipeline Follow-ups", "user"),
	],
)
def test_a_filter_from_the_url_runs_no_script(page, browser_errors, report_name, fieldname):
	"""/app/query-report/<report>?to_date=<img src=x onerror=...>: the value is refused and, where it
	is named in a message, shown as text; the markup never reaches the page."""
	log_in(page, factories.SALES_USER)
	open_report_with_route_filter(page, report_name, fieldname)
	assert page.evaluate("window.__xss") is None
	assert page.locator("img[src='x']").count() == 0
	value = page.locator(f'.page-form .frappe-control[data-fieldname="{fieldname}"] input')
	expect(value).to_have_value("")
	assert not browser_errors.from_app(), str(browser_errors)


def test_the_refused_date_is_named_as_text(page):
	log_in(page, factories.SALES_USER)
	open_report_with_route_filter(page, "Sales Pipeline Forecast", "to_date")
	dialog = page.locator(".modal:visible .msgprint")
	expect(dialog).to_contain_text(f"{PAYLOAD} is not a date")


def test_a_date_from_the_url_is_still_taken(page):
	"""What links to the report legitimately send, a date as YYYY-MM-DD, fills the filter."""
	log_in(page, factories.SALES_USER)
	page.goto(f"/app/query-report/{quote('Sales Pipeline Forecast')}?to_date=2027-06-30")
	to_date = page.locator('.page-form .frappe-control[data-fieldname="to_date"] input')
	expect(to_date).to_have_value(re.compile(r"2027"))
	assert page.evaluate("frappe.query_report.get_filter_value('to_date')") == "2027-06-30"
	expect(page.locator(".modal:visible .msgprint")).to_have_count(0)


def test_a_sales_manager_without_sales_user_picks_a_currency(page, browser_errors):
	"""Frappe gives Sales Manager no permission on Currency; the opportunity form's currency field
	still offers and takes one."""
	log_in(page, factories.SALES_MANAGER_ONLY)
	page.goto("/app/pipeline-opportunity/new")
	opportunity_form = form(page, "Pipeline Opportunity")
	currency = field(opportunity_form, "currency").locator("input")
	currency.fill("EUR")
	option = opportunity_form.get_by_role("option").filter(has_text="EUR").first
	expect(option).to_be_visible()
	option.click()
	currency.press("Tab")
	expect(currency).to_have_value("EUR")
	expect(page.get_by_text("You do not have Read or Select Permissions")).to_have_count(0)
	expect(page.get_by_text("No permission to read Currency")).to_have_count(0)
	assert not browser_errors.from_app(), str(browser_errors)
