"""A sales user works the Pipeline Board in headless Chromium: drags a deal to the next stage, then
drops another on Lost."""

import frappe
import pytest
from playwright.sync_api import Locator, Page, expect

from tests import factories
from tests.browser.test_desk_flow import delete_without_trace, log_in, money

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_board():
	"""Two stages that come before every other, a currency of their own, two open opportunities of
	a customer in the first stage and a lost reason, committed; all removed (and committed) after."""
	currency = f"Q{factories.fake.unique.random_int(10000, 99999)}"
	frappe.get_doc(
		{"doctype": "Currency", "currency_name": currency, "enabled": 1, "symbol": currency}
	).insert()
	first = factories.make_sales_stage(sort_order=-100_000, probability=10)
	second = factories.make_sales_stage(sort_order=-99_999, probability=40)
	customer = factories.make_customer()
	moved = factories.make_opportunity(
		party=customer,
		items=None,
		currency=currency,
		sales_stage=first.name,
		opportunity_amount=1000,
		expected_closing="2027-01-01",
	)
	lost = factories.make_opportunity(
		party=customer,
		items=None,
		currency=currency,
		sales_stage=first.name,
		opportunity_amount=500,
		expected_closing="2027-01-02",
	)
	reason = factories.make_lost_reason(
		lost_reason=f"Price too high {factories.fake.unique.random_int(1000, 9999)}"
	)
	frappe.db.commit()  # nosemgrep
	yield frappe._dict(currency=currency, first=first, second=second, moved=moved, lost=lost, reason=reason)
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for opportunity in (moved, lost):
		delete_without_trace("Pipeline Opportunity", opportunity.name)
	delete_without_trace("Pipeline Customer", customer.name)
	for doctype, name in (
		("Pipeline Lost Reason", reason.name),
		("Pipeline Sales Stage", first.name),
		("Pipeline Sales Stage", second.name),
		("Currency", currency),
	):
		delete_without_trace(doctype, name)
	frappe.db.commit()  # nosemgrep


def board_column(page: Page, stage: str) -> Locator:
	return page.locator(".pipeline-column").filter(has=page.locator(".pipeline-column-title", has_text=stage))


def card(page: Page, name: str) -> Locator:
	return page.locator(f'.pipeline-card[data-name="{name}"]')


def drag(page: Page, source: Locator, target: Locator) -> None:
	"""Drag with the mouse in small steps, as a hand would (the board listens to mouse events)."""
	source.scroll_into_view_if_needed()
	start, end = source.bounding_box(), target.bounding_box()
	page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
	page.mouse.down()
	page.mouse.move(start["x"] + start["width"] / 2 + 10, start["y"] + start["height"] / 2 + 10, steps=5)
	page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=20)
	page.mouse.up()


def test_a_sales_user_moves_a_deal_to_the_next_stage_and_drops_one_on_lost(
	page, committed_board, browser_errors, step_screenshot
):
	"""Dragging a card to the next column moves the opportunity there: both columns' totals change
	at once, and after a reload the card is still there. A card dropped on Lost asks for the reason
	and leaves the board."""
	data = committed_board
	log_in(page, factories.SALES_USER)
	page.goto(f"/app/pipeline-board?currency={data.currency}")
	first, second = board_column(page, data.first.name), board_column(page, data.second.name)
	expect(first.locator(".pipeline-column-count")).to_have_text("2 open")
	expect(first.locator(".pipeline-column-amount")).to_contain_text(money(1500))
	expect(second.locator(".pipeline-column-count")).to_have_text("0 open")
	expect(card(page, data.moved.name)).to_contain_text("No follow-up")
	step_screenshot("board")

	drag(page, card(page, data.moved.name), second.locator(".pipeline-cards"))
	expect(second.locator(".pipeline-column-count")).to_have_text("1 open")
	expect(first.locator(".pipeline-column-count")).to_have_text("1 open")
	expect(second.locator(".pipeline-column-amount")).to_contain_text(money(1000))
	# The probability followed the stage: 1,000 x 40 %.
	expect(second.locator(".pipeline-column-weighted")).to_contain_text(money(400))
	expect(first.locator(".pipeline-column-amount")).to_contain_text(money(500))
	step_screenshot("moved")

	page.reload()
	expect(second.locator(f'.pipeline-card[data-name="{data.moved.name}"]')).to_be_visible()
	expect(second.locator(".pipeline-column-count")).to_have_text("1 open")
	step_screenshot("reloaded")

	drag(page, card(page, data.lost.name), page.locator(".pipeline-drop-lost"))
	dialog = page.locator(".modal:visible")
	expect(dialog.locator(".modal-title")).to_have_text("Set as Lost")
	reasons = dialog.locator('.frappe-control[data-fieldname="lost_reasons"] input')
	# Typed key by key, as a user does: the field searches on each key.
	reasons.click()
	reasons.press_sequentially(data.reason.name, delay=20)
	page.get_by_role("option").filter(has_text=data.reason.name).first.click()
	step_screenshot("lost-dialog")
	dialog.get_by_role("button", name="Declare Lost").click()
	expect(card(page, data.lost.name)).to_have_count(0)
	expect(first.locator(".pipeline-column-count")).to_have_text("0 open")
	step_screenshot("lost")

	frappe.db.rollback()  # see what the server committed
	assert frappe.db.get_value("Pipeline Opportunity", data.moved.name, ["sales_stage", "probability"]) == (
		data.second.name,
		40,
	)
	lost = frappe.get_doc("Pipeline Opportunity", data.lost.name)
	assert (lost.status, [row.lost_reason for row in lost.lost_reasons]) == ("Lost", [data.reason.name])
	assert not browser_errors.from_app(), str(browser_errors)


def test_a_move_the_server_refuses_puts_the_card_back_and_says_why(
	page, committed_board, browser_errors, step_screenshot
):
	"""A deal closed elsewhere after the board was loaded cannot be moved: the card goes back to
	its column, the totals stay, and the server's reason is on show."""
	data = committed_board
	log_in(page, factories.SALES_USER)
	page.goto(f"/app/pipeline-board?currency={data.currency}")
	first, second = board_column(page, data.first.name), board_column(page, data.second.name)
	expect(first.locator(".pipeline-column-count")).to_have_text("2 open")
	frappe.get_doc("Pipeline Opportunity", data.moved.name).close_opportunity()
	frappe.db.commit()  # nosemgrep

	drag(page, card(page, data.moved.name), second.locator(".pipeline-cards"))
	expect(page.locator(".modal:visible")).to_contain_text(
		"only an open opportunity can change its sales stage"
	)
	step_screenshot("refused")
	expect(first.locator(f'.pipeline-card[data-name="{data.moved.name}"]')).to_be_visible()
	expect(second.locator(".pipeline-card")).to_have_count(0)
	expect(first.locator(".pipeline-column-count")).to_have_text("2 open")
	expect(second.locator(".pipeline-column-count")).to_have_text("0 open")
	frappe.db.rollback()
	assert frappe.db.get_value("Pipeline Opportunity", data.moved.name, "sales_stage") == data.first.name
	assert not browser_errors.from_app(), str(browser_errors)


def test_the_opportunity_list_opens_the_board(page, browser_errors):
	log_in(page, factories.SALES_USER)
	page.goto("/app/pipeline-opportunity")
	page.get_by_role("button", name="Pipeline Board", exact=True).click()
	page.wait_for_url("**/app/pipeline-board")
	expect(page.locator(".page-title").filter(has_text="Pipeline Board").first).to_be_visible()
	expect(page.locator(".pipeline-column").first).to_be_visible()
	assert not browser_errors.from_app(), str(browser_errors)
