"""The Sales Pipeline Forecast in the desk: Overdue and No Date rows around the months, both bases,
rows that open the list of their opportunities; and the learned win rate on the sales stage form.
In headless Chromium against the served test site."""

import re
from urllib.parse import quote

import frappe
import pytest
from frappe.utils import add_days, getdate, nowdate
from playwright.sync_api import Page, expect

from sales_pipeline.sales_pipeline.forecast import get_win_rate_settings
from tests import factories
from tests.browser.test_desk_flow import log_in
from tests.browser.test_history_reports import expect_a_chart

pytestmark = pytest.mark.browser

REPORT_URL = "/app/query-report/" + quote("Sales Pipeline Forecast")


@pytest.fixture
def committed_pipeline():
	"""Committed, for the server process to see: a sales user owning six open opportunities in the
	default currency (two overdue, three in the coming months, one without a date, nor a currency)
	in two new stages, the first of which
	lost three deals today, so that its learned probability differs from its default. Everything is
	removed again afterwards, and that is committed."""
	today = getdate(nowdate())
	currency = frappe.db.get_default("currency")
	owner = factories.make_user(roles=("Sales User",)).name
	lost_reason = factories.make_lost_reason()
	first = factories.make_sales_stage(probability=60, sort_order=-2)
	second = factories.make_sales_stage(probability=30, sort_order=-1)

	def new(stage, amount, closing):
		return factories.make_opportunity(
			items=0,
			sales_stage=stage.name,
			opportunity_amount=amount,
			expected_closing=closing,
			currency=currency,
			opportunity_owner=owner,
			transaction_date=add_days(today, -60),
		)

	overdue = [new(first, 40_000, add_days(today, -40)), new(second, 25_000, add_days(today, -3))]
	coming = [
		new(first, 30_000, add_days(today, 20)),
		new(second, 50_000, add_days(today, 50)),
		new(first, 20_000, add_days(today, 80)),
	]
	undated = [new(second, 10_000, None)]
	# Without a currency: it counts in the default currency, and its row's list shows it too.
	frappe.db.set_value("Pipeline Opportunity", undated[0].name, "currency", None)
	lost = [new(first, 5_000, add_days(today, 10)) for _ in range(3)]
	for opportunity in lost:
		opportunity.declare_enquiry_lost([{"lost_reason": lost_reason.name}])
	frappe.db.commit()  # nosemgrep
	yield frappe._dict(owner=owner, first=first, overdue=overdue, coming=coming, undated=undated)
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for opportunity in overdue + coming + undated + lost:
		factories.delete_opportunity_without_trace(opportunity)
	for stage in (first, second):
		factories.delete_without_trace("Pipeline Sales Stage", stage.name)
	factories.delete_without_trace("Pipeline Lost Reason", lost_reason.name)
	factories.delete_without_trace("User", owner)
	frappe.db.commit()  # nosemgrep


def open_forecast(page: Page, owner: str, basis: str = "Opportunity") -> None:
	page.goto(f"{REPORT_URL}?opportunity_owner={quote(owner)}&probability_basis={basis}")
	expect(page.locator(".dt-row-0 .dt-cell--col-1")).to_contain_text("Overdue")
	page.wait_for_load_state("networkidle")


def expect_listed(page: Page, names: list[str]) -> None:
	"""The list view shows these opportunities and no other: its rows link to their forms."""
	rows = page.locator(".frappe-list .list-row-container .list-row")
	expect(rows).to_have_count(len(names))
	for name in names:
		expect(rows.locator(f'.list-subject a[href$="/pipeline-opportunity/{name}"]')).to_have_count(1)


def first_column(page: Page) -> list[str]:
	"""The Expected Closing cell of each row, the total row included."""
	return [text.strip() for text in page.locator(".dt-scrollable .dt-row .dt-cell--col-1").all_inner_texts()]


def test_the_forecast_shows_overdue_and_undated_rows_and_both_forecasts(
	page, browser_errors, step_screenshot, committed_pipeline
):
	log_in(page, factories.SALES_USER)
	open_forecast(page, committed_pipeline.owner)
	cells = first_column(page)
	assert cells[0] == "Overdue" and cells[-1] == "No Date", cells
	summary = page.locator(".report-summary")
	expect(summary).to_contain_text("Forecast by Opportunity Probability")
	expect(summary).to_contain_text("Forecast by Learned Win Rate")
	expect_a_chart(page, [])
	step_screenshot("opportunity-basis")
	# The first stage learned less than its default from its lost deals: its Overdue cell drops.
	first_stage_overdue = page.locator(".dt-scrollable .dt-row-0 .dt-cell--col-2")
	by_opportunity = first_stage_overdue.inner_text()
	page.evaluate("frappe.query_report.set_filter_value('probability_basis', 'Learned')")
	expect(first_stage_overdue).not_to_have_text(by_opportunity)
	assert first_column(page) == cells
	expect_a_chart(page, [])
	step_screenshot("learned-basis")
	assert not browser_errors.from_app(), str(browser_errors)


def test_a_row_opens_the_list_of_exactly_its_opportunities(page, browser_errors, committed_pipeline):
	"""Clicking Overdue opens the Pipeline Opportunity list filtered to the two overdue deals; the No
	Date row's count to the undated one, which has no currency."""
	log_in(page, factories.SALES_USER)
	open_forecast(page, committed_pipeline.owner)
	page.locator(".dt-row-0 .dt-cell--col-1 a.forecast-opportunities").click()
	expect(page).to_have_url(re.compile(r"/app/pipeline-opportunity\?"))
	expect_listed(page, [opportunity.name for opportunity in committed_pipeline.overdue])

	open_forecast(page, committed_pipeline.owner)
	undated_row = page.locator(".dt-scrollable .dt-row").filter(has_text="No Date")
	undated_row.locator("a.forecast-opportunities").last.click()
	expect(page).to_have_url(re.compile(r"/app/pipeline-opportunity\?"))
	expect_listed(page, [committed_pipeline.undated[0].name])
	assert not browser_errors.from_app(), str(browser_errors)


def test_the_sales_stage_form_shows_its_learned_win_rate(
	page, browser_errors, step_screenshot, committed_pipeline
):
	log_in(page, factories.SALES_USER)
	page.goto(f"/app/pipeline-sales-stage/{quote(committed_pipeline.first.name)}")
	intro = page.get_by_text(re.compile("^Learned win rate"))
	months, prior_weight = get_win_rate_settings()
	expect(intro).to_contain_text(f"Learned win rate: 0% (0 won, 3 lost in the last {months} months)")
	# 100 x (0 + k x 0.6) / (3 + k): 46.2% with the default prior weight k of 10
	learned = 100 * (prior_weight * 0.6) / (3 + prior_weight)
	expect(intro).to_contain_text(f"forecast probability {learned:.1f}%")
	step_screenshot("sales-stage")
	assert not browser_errors.from_app(), str(browser_errors)
