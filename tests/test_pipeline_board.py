"""The Pipeline Board's API: totals, paging, filters, permissions, follow-up states, days in stage
and moves between stages.

Each test makes its opportunities in a currency of its own, so the totals it reads are those of its
own data whatever else the site holds. The site runs in America/New_York; time is frozen in UTC.
"""

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.patches.v1 import set_sales_stage_since
from sales_pipeline.sales_pipeline.page.pipeline_board.pipeline_board import (
	get_board,
	get_column,
	get_follow_up_state,
	move_to_stage,
)
from tests import factories

# 14:00:00.25 UTC is 09:00:00.25 in New York on Monday 30 November 2026.
NOW_UTC = "2026-11-30 14:00:00.250000"


@pytest.fixture
def currency() -> str:
	"""A currency only this test's opportunities use."""
	code = f"Q{factories.fake.unique.random_int(10000, 99999)}"
	frappe.get_doc({"doctype": "Currency", "currency_name": code, "enabled": 1, "symbol": code}).insert()
	return code


def make_opportunity(currency: str, **values):
	values.setdefault("opportunity_amount", 1000)
	return factories.make_opportunity(items=None, currency=currency, **values)


def column(board: dict, sales_stage: str | None) -> dict:
	return next(col for col in board["columns"] if col["sales_stage"] == sales_stage)


def totals(col: dict) -> tuple:
	return col["count"], col["amount"], col["weighted_amount"]


def test_columns_follow_the_stage_sort_order(currency):
	"""One column per sales stage, lowest sort order first."""
	last = factories.make_sales_stage(sort_order=10_000)
	first = factories.make_sales_stage(sort_order=-10_000)
	stages = [col["sales_stage"] for col in get_board({"currency": currency})["columns"]]
	assert stages[0] == first.name
	assert stages[-1] == last.name
	assert stages == frappe.get_all("Pipeline Sales Stage", order_by="sort_order asc, name asc", pluck="name")


def test_totals_cover_every_open_opportunity_not_only_the_loaded_cards(currency):
	"""Count, amount and weighted amount of a column add up all its open opportunities in the
	currency, while only the first page of cards is loaded."""
	stage = factories.make_sales_stage(probability=50)
	for amount, probability in ((100, 10), (200, 20), (300, 30)):
		make_opportunity(currency, sales_stage=stage.name, opportunity_amount=amount, probability=probability)
	board = get_board({"currency": currency}, page_length=2)
	col = column(board, stage.name)
	assert board["currency"] == currency
	assert totals(col) == (3, 600, 10 + 40 + 90)
	assert len(col["cards"]) == 2


def test_lost_closed_and_other_currencies_are_left_out(currency):
	"""Only Open, Replied and Quotation opportunities of the chosen currency count."""
	stage = factories.make_sales_stage()
	make_opportunity(currency, sales_stage=stage.name, opportunity_amount=100)
	make_opportunity(currency, sales_stage=stage.name).set_status("Lost")
	make_opportunity(currency, sales_stage=stage.name).set_status("Closed")
	make_opportunity(currency, sales_stage=stage.name).set_status("Replied")
	make_opportunity(frappe.db.get_default("currency"), sales_stage=stage.name)
	col = column(get_board({"currency": currency}), stage.name)
	assert (col["count"], col["amount"]) == (2, 1100)


def test_opportunities_without_a_stage_get_their_own_column(currency):
	opportunity = make_opportunity(currency, opportunity_amount=700)
	frappe.db.set_value("Pipeline Opportunity", opportunity.name, "sales_stage", None)
	col = column(get_board({"currency": currency}), None)
	assert (col["count"], col["amount"]) == (1, 700)
	assert [card["name"] for card in col["cards"]] == [opportunity.name]
	assert get_column(None, {"currency": currency})["count"] == 1


def test_opportunities_without_a_currency_count_in_the_default_currency():
	stage = factories.make_sales_stage()
	party = factories.make_customer()
	opportunity = factories.make_opportunity(party=party, items=None, sales_stage=stage.name)
	frappe.db.set_value("Pipeline Opportunity", opportunity.name, "currency", None)
	board = get_board({"party_name": party.name})
	assert board["currency"] == frappe.db.get_default("currency")
	assert column(board, stage.name)["count"] == 1


def test_paging_a_column_neither_skips_nor_repeats_a_card(currency):
	"""Pages of a column, read one after the other, hold every card once, in the board's order,
	also when several share the expected closing date."""
	stage = factories.make_sales_stage()
	for days in (5, 5, 5, 1, 9, 5, 1):
		make_opportunity(
			currency, sales_stage=stage.name, expected_closing=frappe.utils.add_days("2027-01-01", days)
		)
	first_page = column(get_board({"currency": currency}, page_length=3), stage.name)["cards"]
	pages = [get_column(stage.name, {"currency": currency}, start, 3)["cards"] for start in (0, 3, 6)]
	names = [card["name"] for page in pages for card in page]
	assert [card["name"] for card in first_page] == [card["name"] for card in pages[0]]
	assert len(names) == len(set(names)) == 7
	assert sorted(names) == sorted(
		frappe.get_all(
			"Pipeline Opportunity", filters={"currency": currency, "sales_stage": stage.name}, pluck="name"
		)
	)
	keys = [(card["expected_closing"], card["name"]) for page in pages for card in page]
	assert keys == sorted(keys)


def test_owner_filter_limits_the_totals_to_that_owner(currency):
	stage = factories.make_sales_stage()
	make_opportunity(
		currency, sales_stage=stage.name, opportunity_owner=factories.SALES_USER, opportunity_amount=10
	)
	make_opportunity(currency, sales_stage=stage.name, opportunity_owner=factories.SALES_USER_2)
	board = get_board({"currency": currency, "opportunity_owner": factories.SALES_USER})
	assert (column(board, stage.name)["count"], column(board, stage.name)["amount"]) == (1, 10)


def test_party_filter_limits_the_totals_to_that_party(currency):
	stage = factories.make_sales_stage()
	customer = factories.make_customer()
	make_opportunity(currency, party=customer, sales_stage=stage.name, opportunity_amount=20)
	make_opportunity(currency, sales_stage=stage.name)
	board = get_board(
		{"currency": currency, "opportunity_from": "Pipeline Customer", "party_name": customer.name}
	)
	assert (column(board, stage.name)["count"], column(board, stage.name)["amount"]) == (1, 20)


def test_expected_closing_range_limits_the_totals(currency):
	stage = factories.make_sales_stage()
	for closing in ("2027-01-31", "2027-02-01", "2027-02-28", "2027-03-01"):
		make_opportunity(currency, sales_stage=stage.name, expected_closing=closing)
	board = get_board(
		{"currency": currency, "expected_closing_from": "2027-02-01", "expected_closing_to": "2027-02-28"}
	)
	assert column(board, stage.name)["count"] == 2


@pytest.mark.parametrize(
	("filters", "named"),
	[
		({"sales_stage": "x"}, "unknown filter sales_stage"),
		({"opportunity_owner": ["is", "set"]}, "opportunity_owner"),
		({"expected_closing_from": "31/12/2026"}, "expected_closing_from"),
		({"expected_closing_from": "2027-02-01", "expected_closing_to": "2027-01-01"}, "expected_closing_to"),
		({"currency": "NOT-A-CURRENCY"}, "currency"),
		({"opportunity_from": "User"}, "opportunity_from"),
		("[1, 2]", "filters"),
		("{not json", "filters"),
	],
)
def test_bad_filters_are_refused_naming_them(filters, named):
	with pytest.raises(frappe.ValidationError) as raised:
		get_board(filters)
	assert named in str(raised.value)


@pytest.mark.parametrize(
	("arguments", "named"),
	[
		({"sales_stage": "No Such Stage"}, "sales_stage"),
		({"start": -1}, "start"),
		({"page_length": 0}, "page_length"),
		({"page_length": 10_000}, "page_length"),
	],
)
def test_bad_column_arguments_are_refused_naming_them(arguments, named):
	arguments = {"sales_stage": frappe.get_all("Pipeline Sales Stage", pluck="name", limit=1)[0], **arguments}
	with pytest.raises(frappe.ValidationError) as raised:
		get_column(**arguments)
	assert named in str(raised.value)


@pytest.mark.parametrize("user", [factories.OUTSIDER, "Guest"])
def test_users_who_cannot_read_opportunities_get_no_board(as_user, user):
	as_user(user)
	with pytest.raises(frappe.PermissionError):
		get_board()


@pytest.mark.parametrize("user", [factories.OUTSIDER, "Guest"])
def test_users_who_cannot_read_opportunities_get_no_column(as_user, user):
	stage = frappe.get_all("Pipeline Sales Stage", pluck="name", limit=1)[0]
	as_user(user)
	with pytest.raises(frappe.PermissionError):
		get_column(stage)


def test_a_user_permission_on_a_customer_limits_the_cards_and_the_totals(currency, as_user):
	"""A sales user restricted to one customer sees that customer's opportunities only, in the
	totals as well as in the cards."""
	stage = factories.make_sales_stage()
	allowed, other = factories.make_customer(), factories.make_customer()
	mine = make_opportunity(currency, party=allowed, sales_stage=stage.name, opportunity_amount=300)
	make_opportunity(currency, party=other, sales_stage=stage.name, opportunity_amount=5000)
	user = factories.make_user(roles=("Sales User",))
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user.name,
			"allow": "Pipeline Customer",
			"for_value": allowed.name,
		}
	).insert()
	as_user(user.name)
	board = get_board({"currency": currency})
	col = column(board, stage.name)
	assert (col["count"], col["amount"]) == (1, 300)
	assert [card["name"] for card in col["cards"]] == [mine.name]
	assert get_column(stage.name, {"currency": currency})["count"] == 1


@pytest.mark.parametrize("user", [factories.SALES_USER, factories.SALES_MANAGER_ONLY])
def test_sales_roles_get_the_board_in_the_default_currency(as_user, user):
	"""Sales Users and Sales Managers (also one without Sales User, whom Frappe gives no read on
	Currency) get the board, in the site's default currency when no currency is chosen."""
	stage = factories.make_sales_stage()
	party = factories.make_customer()
	factories.make_opportunity(party=party, items=None, sales_stage=stage.name, opportunity_amount=250)
	as_user(user)
	board = get_board({"party_name": party.name})
	assert board["currency"] == frappe.db.get_default("currency")
	assert board["can_write"] is True
	assert (column(board, stage.name)["count"], column(board, stage.name)["amount"]) == (1, 250)


def test_a_read_only_user_gets_a_board_marked_read_only(currency, as_user):
	"""A user who can read opportunities (here through a share) and not write them."""
	stage = factories.make_sales_stage()
	opportunity = make_opportunity(currency, sales_stage=stage.name)
	frappe.share.add_docshare(
		opportunity.doctype,
		opportunity.name,
		factories.OUTSIDER,
		read=1,
		flags={"ignore_share_permission": True},
	)
	as_user(factories.OUTSIDER)
	board = get_board({"currency": currency})
	assert board["can_write"] is False
	assert column(board, stage.name)["count"] == 1


@pytest.mark.parametrize(
	("contact_date", "state"),
	[
		(None, "none"),
		("2026-11-29 23:30:00", "overdue"),
		("2026-11-30 08:59:00", "overdue"),
		("2026-11-30 09:01:00", "today"),
		# 04:30 UTC on 1 December, still 30 November in New York.
		("2026-11-30 23:30:00", "today"),
		("2026-12-01 00:00:00", "planned"),
	],
)
def test_follow_up_state_in_the_site_time_zone(contact_date, state):
	with freeze_time(NOW_UTC, tz_offset=0):
		assert get_follow_up_state(contact_date) == state


def test_a_card_shows_its_follow_up_state(currency):
	stage = factories.make_sales_stage()
	with freeze_time(NOW_UTC, tz_offset=0):
		opportunity = make_opportunity(
			currency,
			sales_stage=stage.name,
			contact_by=factories.SALES_USER,
			contact_date="2026-11-30 17:00:00",
		)
		card = column(get_board({"currency": currency}), stage.name)["cards"][0]
	assert (card["name"], card["contact_by"], card["follow_up_state"]) == (
		opportunity.name,
		factories.SALES_USER,
		"today",
	)


def test_days_in_stage_count_days_in_the_site_time_zone(currency):
	"""Entered at 23:30 in New York (04:30 UTC the next day), one day in stage an hour later."""
	stage = factories.make_sales_stage()
	with freeze_time("2026-12-01 04:30:00.250000", tz_offset=0):
		make_opportunity(currency, sales_stage=stage.name)
	with freeze_time("2026-12-01 05:30:00.250000", tz_offset=0):
		card = column(get_board({"currency": currency}), stage.name)["cards"][0]
	assert card["days_in_stage"] == 1


def test_days_in_stage_start_again_when_the_stage_changes(currency):
	first, second = factories.make_sales_stage(), factories.make_sales_stage()
	with freeze_time(NOW_UTC, tz_offset=0):
		opportunity = make_opportunity(currency, sales_stage=first.name)
	with freeze_time("2026-12-10 14:00:00.250000", tz_offset=0):
		assert column(get_board({"currency": currency}), first.name)["cards"][0]["days_in_stage"] == 10
		card = move_to_stage(opportunity.name, second.name)
	assert card["days_in_stage"] == 0
	assert str(frappe.db.get_value("Pipeline Opportunity", opportunity.name, "sales_stage_since")) == (
		"2026-12-10 09:00:00.250000"
	)


def test_an_edit_that_keeps_the_stage_keeps_its_since(currency):
	"""Saving without a stage change, even with another `sales_stage_since` sent, keeps it."""
	with freeze_time(NOW_UTC, tz_offset=0):
		opportunity = make_opportunity(currency)
	since = opportunity.sales_stage_since
	with freeze_time("2026-12-10 14:00:00.250000", tz_offset=0):
		opportunity.reload()
		opportunity.sales_stage_since = "2020-01-01 00:00:00"
		opportunity.to_discuss = "Price"
		opportunity.save()
	assert opportunity.sales_stage_since == since


def test_cards_in_a_stage_past_the_threshold_look_stale(currency):
	stage = factories.make_sales_stage()
	settings = frappe.get_single("Pipeline Settings")
	settings.stale_deal_days = 5
	settings.save()
	with freeze_time(NOW_UTC, tz_offset=0):
		make_opportunity(currency, sales_stage=stage.name, expected_closing="2027-01-01")
		make_opportunity(currency, sales_stage=stage.name, expected_closing="2027-01-02")
	with freeze_time("2026-12-05 14:00:00.250000", tz_offset=0):
		make_opportunity(currency, sales_stage=stage.name, expected_closing="2027-01-03")
	with freeze_time("2026-12-06 14:00:00.250000", tz_offset=0):
		board = get_board({"currency": currency})
	assert board["stale_deal_days"] == 5
	assert [(card["days_in_stage"], card["stale"]) for card in column(board, stage.name)["cards"]] == [
		(6, True),
		(6, True),
		(1, False),
	]


def test_an_unset_stale_threshold_reads_as_30_days(currency):
	frappe.db.set_single_value("Pipeline Settings", "stale_deal_days", 0)
	assert get_board({"currency": currency})["stale_deal_days"] == 30


def test_the_patch_fills_since_from_the_creation(currency):
	opportunity = make_opportunity(currency)
	frappe.db.set_value("Pipeline Opportunity", opportunity.name, "sales_stage_since", None)
	set_sales_stage_since.execute()
	since, creation = frappe.db.get_value(
		"Pipeline Opportunity", opportunity.name, ["sales_stage_since", "creation"]
	)
	assert since == creation


def test_a_move_changes_the_stage_and_returns_the_card(currency, as_user):
	first, second = factories.make_sales_stage(), factories.make_sales_stage()
	opportunity = make_opportunity(currency, sales_stage=first.name, opportunity_amount=400)
	as_user(factories.SALES_USER)
	card = move_to_stage(opportunity.name, second.name)
	assert (card["name"], card["sales_stage"], card["opportunity_amount"]) == (
		opportunity.name,
		second.name,
		400,
	)
	board = get_board({"currency": currency})
	assert (column(board, first.name)["count"], column(board, second.name)["count"]) == (0, 1)
	assert column(board, second.name)["amount"] == 400


def test_a_move_takes_the_new_default_when_the_probability_was_the_old_default(currency):
	first, second = factories.make_sales_stage(probability=10), factories.make_sales_stage(probability=60)
	opportunity = make_opportunity(currency, sales_stage=first.name)
	assert opportunity.probability == 10
	assert move_to_stage(opportunity.name, second.name)["probability"] == 60


def test_a_move_keeps_a_probability_set_by_hand(currency):
	first, second = factories.make_sales_stage(probability=10), factories.make_sales_stage(probability=60)
	opportunity = make_opportunity(currency, sales_stage=first.name, probability=35)
	assert move_to_stage(opportunity.name, second.name)["probability"] == 35


def test_a_move_fills_an_empty_probability_from_the_new_stage(currency):
	first, second = factories.make_sales_stage(probability=0), factories.make_sales_stage(probability=60)
	opportunity = make_opportunity(currency, sales_stage=first.name)
	assert not opportunity.probability
	assert move_to_stage(opportunity.name, second.name)["probability"] == 60


@pytest.mark.parametrize("status", ["Lost", "Closed", "Converted"])
def test_a_move_is_refused_for_an_opportunity_that_is_not_open(currency, status):
	first, second = factories.make_sales_stage(), factories.make_sales_stage()
	opportunity = make_opportunity(currency, sales_stage=first.name)
	opportunity.set_status(status)
	with pytest.raises(frappe.ValidationError, match=status):
		move_to_stage(opportunity.name, second.name)
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "sales_stage") == first.name


@pytest.mark.parametrize(
	("arguments", "named"),
	[
		({"sales_stage": "No Such Stage"}, "sales_stage"),
		({"sales_stage": ["a", "b"]}, "sales_stage"),
		({"opportunity": "OPP-NONE-00000"}, "opportunity"),
	],
)
def test_a_move_with_a_bad_argument_is_refused_naming_it(currency, arguments, named):
	stage = factories.make_sales_stage()
	opportunity = make_opportunity(currency)
	arguments = {"opportunity": opportunity.name, "sales_stage": stage.name, **arguments}
	with pytest.raises((frappe.ValidationError, frappe.FrappeTypeError)) as raised:
		move_to_stage(**arguments)
	assert named in str(raised.value)


def test_a_move_without_write_permission_is_refused(currency, as_user):
	"""A user with a read-only share of the opportunity cannot move it."""
	first, second = factories.make_sales_stage(), factories.make_sales_stage()
	opportunity = make_opportunity(currency, sales_stage=first.name)
	frappe.share.add_docshare(
		opportunity.doctype,
		opportunity.name,
		factories.OUTSIDER,
		read=1,
		flags={"ignore_share_permission": True},
	)
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		move_to_stage(opportunity.name, second.name)
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "sales_stage") == first.name


def test_a_move_is_refused_to_a_user_restricted_to_another_customer(currency, as_user):
	stage = factories.make_sales_stage()
	allowed, other = factories.make_customer(), factories.make_customer()
	opportunity = make_opportunity(currency, party=other)
	user = factories.make_user(roles=("Sales User",))
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user.name,
			"allow": "Pipeline Customer",
			"for_value": allowed.name,
		}
	).insert()
	as_user(user.name)
	with pytest.raises(frappe.PermissionError):
		move_to_stage(opportunity.name, stage.name)


def test_a_move_is_accepted_by_post_only():
	assert frappe.allowed_http_methods_for_whitelisted_func[move_to_stage] == ["POST"]


def test_guest_cannot_move(currency, as_user):
	stage = factories.make_sales_stage()
	opportunity = make_opportunity(currency)
	as_user("Guest")
	with pytest.raises(frappe.PermissionError):
		move_to_stage(opportunity.name, stage.name)


def test_the_board_is_a_shortcut_of_the_workspace_for_sales_roles():
	page = frappe.get_doc("Page", "pipeline-board")
	assert (page.title, page.module) == ("Pipeline Board", "Sales Pipeline")
	assert {"Sales User", "Sales Manager"} <= {row.role for row in page.roles}
	workspace = frappe.get_doc("Workspace", "Sales Pipeline")
	assert any(row.type == "Page" and row.link_to == "pipeline-board" for row in workspace.shortcuts)
	assert "Pipeline Board" in workspace.content
