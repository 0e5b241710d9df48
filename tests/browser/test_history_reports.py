"""The reports read from the opportunity history (Pipeline Forecast Accuracy, Pipeline Funnel,
Pipeline Lost Reasons) as a sales user sees them in the desk, in headless Chromium against the served
test site: reached from the workspace, with their numbers, summary and chart."""

import re
from urllib.parse import urlencode

import frappe
import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.test_desk_flow import delete_without_trace, log_in
from tests.pipeline_history import CURRENCY, change, clock, convert, lose, open_opportunity

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_history():
	"""Two stages, an owner, two lost reasons and five deals of one customer with a history from
	December 2025 to March 2026 (in the past, so the served site's clock is after it), committed;
	everything removed (and committed) after."""
	with clock("2025-12-01") as time:
		first = factories.make_sales_stage(probability=20, sort_order=1)
		second = factories.make_sales_stage(probability=60, sort_order=2)
		owner = factories.make_user(roles=("Sales User",))
		customer = factories.make_customer()
		price, timing = factories.make_lost_reason(), factories.make_lost_reason()

		def new(stage, amount, closing):
			return open_opportunity(customer, stage, amount, closing, opportunity_owner=owner.name)

		won_in_january = new(first, 10_000, "2026-01-20")
		lost_in_january = new(second, 5_000, "2026-01-25")
		won_in_february = new(first, 4_000, "2026-02-15")
		lost_in_february = new(first, 6_000, "2026-02-20")
		still_open = new(second, 3_000, "2026-03-20")
		time.at("2025-12-15")
		change(won_in_january, sales_stage=second.name)
		time.at("2026-01-15")
		convert(won_in_january)
		time.at("2026-01-20")
		lose(lost_in_january, price)
		time.at("2026-02-10")
		convert(won_in_february)
		time.at("2026-02-20")
		lose(lost_in_february, price, timing)
	deals = [won_in_january, lost_in_january, won_in_february, lost_in_february, still_open]
	frappe.db.commit()  # nosemgrep
	yield frappe._dict(stages=(first, second), owner=owner.name, reasons=(price, timing), deals=deals)
	frappe.db.rollback()
	frappe.set_user("Administrator")
	names = [deal.name for deal in deals]
	quotations = frappe.get_all(
		"Pipeline Quotation", filters={"opportunity": ("in", names)}, fields=["name", "docstatus"]
	)
	items = frappe.get_all(
		"Pipeline Quotation Item",
		filters={"parent": ("in", [quotation.name for quotation in quotations])},
		pluck="item_code",
	)
	for quotation in quotations:
		if quotation.docstatus == 1:
			frappe.get_doc("Pipeline Quotation", quotation.name).cancel()
		delete_without_trace("Pipeline Quotation", quotation.name)
	for name in names:
		delete_without_trace("Pipeline Opportunity", name)
	for doctype, name in (
		("Pipeline Customer", customer.name),
		*(("Pipeline Item", item) for item in set(items)),
		*(("Pipeline Lost Reason", reason.name) for reason in (price, timing)),
		*(("Pipeline Sales Stage", stage.name) for stage in (first, second)),
		("User", owner.name),
	):
		delete_without_trace(doctype, name)
	frappe.db.commit()  # nosemgrep


def open_report(page: Page, report: str, **filters) -> None:
	page.goto(f"/app/query-report/{report}?{urlencode(filters)}")
	expect(page.locator(".dt-scrollable .dt-row").first).to_be_visible()
	# Frappe sets the route's filters, then runs the report again: wait until it has.
	page.wait_for_load_state("networkidle")


def cell_texts(page: Page, fieldname: str) -> list[str]:
	"""The texts of a report column, top to bottom (the total row apart)."""
	column = page.evaluate(
		"(fieldname) => frappe.query_report.datatable.getColumns().findIndex(c => c.id === fieldname)",
		fieldname,
	)
	return page.locator(f".dt-scrollable .dt-cell--col-{column} .dt-cell__content").all_inner_texts()


def summary(page: Page) -> dict[str, str]:
	cards = page.locator(".report-summary .summary-item")
	return {
		card.locator(".summary-label").inner_text().strip(): card.locator(".summary-value")
		.inner_text()
		.strip()
		for card in cards.all()
	}


def expect_a_chart(page: Page, legend: list[str]) -> None:
	"""The report's bar chart, with these dataset names in its legend and its bars drawn (Frappe
	Charts grows them from zero)."""
	chart = page.locator(".chart-wrapper .frappe-chart")
	expect(chart).to_be_visible()
	for name in legend:
		expect(chart.locator(".legend-dataset-label", has_text=name)).to_be_visible()
	page.wait_for_function(
		"""() => [...document.querySelectorAll('.chart-wrapper .dataset-bars rect')]
			.some(bar => bar.getBBox().height > 1)"""
	)
	# The last frames of the animation.
	page.wait_for_timeout(500)


def test_the_workspace_leads_to_the_three_reports(page, browser_errors):
	log_in(page, factories.SALES_USER)
	page.goto("/app/sales-pipeline")
	for report in ("Pipeline Forecast Accuracy", "Pipeline Funnel", "Pipeline Lost Reasons"):
		expect(page.locator(".links-widget-box .link-item", has_text=report)).to_be_visible()
	page.locator(".links-widget-box .link-item", has_text="Pipeline Funnel").click()
	page.wait_for_url(re.compile(r"/app/query-report/Pipeline(%20| )Funnel"))
	expect(page.locator(".page-title", has_text="Pipeline Funnel")).to_be_visible()
	assert not browser_errors.from_app(), str(browser_errors)


def test_forecast_accuracy(page, committed_history, browser_errors, step_screenshot):
	"""January: 10,000 x 20% + 5,000 x 60% forecast, 10,000 won; February: 4,000 x 20% + 6,000 x
	20%, 4,000 won; March: the open deal, nothing won."""
	log_in(page, factories.SALES_USER)
	open_report(
		page, "Pipeline Forecast Accuracy", from_date="2026-01-01", to_date="2026-03-31", currency=CURRENCY
	)
	assert cell_texts(page, "month") == ["2026-01", "2026-02", "2026-03"]
	forecast = cell_texts(page, "opportunity_forecast")
	assert [re.sub(r"[^\d.]", "", text) for text in forecast] == ["5000.00", "2000.00", "1800.00"]
	won = cell_texts(page, "actual")
	assert [re.sub(r"[^\d.]", "", text) for text in won] == ["10000.00", "4000.00", "0.00"]
	assert "Mean Abs. Error (Learned)" in summary(page)
	expect_a_chart(page, ["Won", "Opportunity Basis", "Learned Basis"])
	step_screenshot("forecast-accuracy")
	assert not browser_errors.from_app(), str(browser_errors)


def test_funnel(page, committed_history, browser_errors, step_screenshot):
	log_in(page, factories.SALES_USER)
	open_report(
		page,
		"Pipeline Funnel",
		from_date="2025-12-01",
		to_date="2025-12-31",
		opportunity_owner=committed_history.owner,
	)
	first, second = (stage.name for stage in committed_history.stages)
	stages = cell_texts(page, "sales_stage")
	reached = dict(zip(stages, cell_texts(page, "reached"), strict=True))
	# The first stage: the three deals made in it; the second: the two made in it and the one moved.
	assert (reached[first], reached[second]) == ("3", "3")
	assert summary(page)["Opportunities"] == "5"
	expect_a_chart(page, ["Won", "Lost", "Still Open"])
	step_screenshot("funnel")
	assert not browser_errors.from_app(), str(browser_errors)


def test_lost_reasons(page, committed_history, browser_errors, step_screenshot):
	log_in(page, factories.SALES_USER)
	open_report(
		page,
		"Pipeline Lost Reasons",
		from_date="2026-01-01",
		to_date="2026-03-31",
		period="Monthly",
		currency=CURRENCY,
	)
	price, timing = (reason.name for reason in committed_history.reasons)
	reasons = cell_texts(page, "lost_reason")
	counts = dict(zip(reasons, cell_texts(page, "lost_count"), strict=True))
	# Price: the January loss and the February one, which also counts for Timing.
	assert (counts[price], counts[timing]) == ("2", "1")
	assert summary(page)["Opportunities Lost"] == "2"
	expect_a_chart(page, [price[:14], timing[:14]])
	step_screenshot("lost-reasons")
	assert not browser_errors.from_app(), str(browser_errors)
