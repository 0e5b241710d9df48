"""The Sales Pipeline Forecast report: amount x probability by expected closing month and stage,
with Overdue and No Date rows, by each opportunity's probability or by the win rate learned for its
stage, every row leading to the opportunities it counts."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.desk.search import search_link
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.forecast import get_win_rates
from tests import factories

JANUARY, FEBRUARY = "2027-01-15", "2027-02-10"
# The report compares expected closings with today: every test runs on this day (noon UTC is the
# same day in the site's time zone), before the months the tests above forecast.
TODAY = "2026-11-16"
NOON_UTC = "{} 12:00:00.250000"


@pytest.fixture(autouse=True)
def clock():
	with freeze_time(NOON_UTC.format(TODAY), tz_offset=0) as frozen:
		yield frozen


def forecast(**filters):
	filters = {"from_date": "2027-01-01", "to_date": "2027-12-31", "currency": "USD", **filters}
	return run("Sales Pipeline Forecast", filters=filters)


def summary(result) -> dict:
	return {card["label"]: card["value"] for card in result["report_summary"]}


def rows(result) -> list[dict]:
	"""The rows, without the total row."""
	return [row for row in result["result"] if isinstance(row, dict)]


def opportunity(stage, amount, probability, closing, **values):
	# Dated early in the year, so that its expected closing may have passed.
	values = {"currency": "USD", "transaction_date": "2026-01-02", **values}
	return factories.make_opportunity(
		items=0,
		sales_stage=stage.name,
		opportunity_amount=amount,
		probability=probability,
		expected_closing=closing,
		**values,
	)


@pytest.fixture
def stages():
	return factories.make_sales_stage(sort_order=1), factories.make_sales_stage(sort_order=2)


def rows_by_month(result):
	return {
		row["month"]: row for row in result["result"] if isinstance(row, dict) and row.get("month") != "Total"
	}


def by_stage(result, month: str) -> dict[str, float]:
	"""The weighted amounts of `month`, by the label of their stage column."""
	row = rows_by_month(result)[month]
	stage_columns = [column for column in result["columns"] if column["fieldname"].startswith("stage_")]
	return {column["label"]: row[column["fieldname"]] for column in stage_columns}


def test_weighs_each_opportunity_by_its_probability_by_month_and_stage(stages):
	early, late = stages
	opportunity(early, 10_000, 20, JANUARY)
	opportunity(late, 4_000, 50, JANUARY)
	opportunity(late, 1_000, 90, FEBRUARY)
	result = forecast()
	months = rows_by_month(result)
	january, february = months["Jan 2027"], months["Feb 2027"]
	assert by_stage(result, "Jan 2027") == {early.name: 2_000, late.name: 2_000}
	assert (january["weighted_amount"], january["amount"], january["opportunities"]) == (4_000, 14_000, 2)
	assert by_stage(result, "Feb 2027") == {early.name: 0, late.name: 900}
	assert february["weighted_amount"] == 900
	assert summary(result)["Forecast by Opportunity Probability"] == 4_900
	assert [dataset["name"] for dataset in result["chart"]["data"]["datasets"]] == [early.name, late.name]


def test_counts_only_open_opportunities_in_the_currency_and_range(stages):
	stage = stages[0]
	counted = opportunity(stage, 1_000, 50, JANUARY)
	opportunity(stage, 1_000, 50, "2028-03-01")  # outside the range
	opportunity(stage, 1_000, 50, JANUARY, currency="EUR")
	opportunity(stage, 1_000, 50, JANUARY).close_opportunity()
	lost = opportunity(stage, 1_000, 50, JANUARY)
	lost.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])
	converted = opportunity(stage, 1_000, 50, JANUARY)
	quotation = make_quotation(converted.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	quotation.set_as_ordered()
	with_quotation = opportunity(stage, 2_000, 50, JANUARY)
	quotation = make_quotation(with_quotation.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	january = rows_by_month(forecast())["Jan 2027"]
	assert january["opportunities"] == 2  # the open one and the one in Quotation
	assert january["amount"] == counted.opportunity_amount + 2_000


def test_a_range_ending_before_it_starts_is_refused():
	with pytest.raises(frappe.ValidationError, match="To Date cannot be before"):
		forecast(from_date="2027-05-01", to_date="2027-04-01")


def test_stages_whose_names_scrub_alike_have_a_column_each():
	"""Two stages named "Deal A" and "Deal-A": each column shows its own stage's amount, not the sum
	of both."""
	number = factories.fake.unique.random_int(1000, 9999)
	spaced = factories.make_sales_stage(stage_name=f"Deal A {number}", sort_order=1)
	dashed = factories.make_sales_stage(stage_name=f"Deal-A {number}", sort_order=2)
	assert frappe.scrub(spaced.name) == frappe.scrub(dashed.name)
	opportunity(spaced, 1_000, 10, JANUARY)
	opportunity(dashed, 2_000, 50, JANUARY)
	result = forecast()
	assert by_stage(result, "Jan 2027") == {spaced.name: 100, dashed.name: 1_000}
	assert [dataset["name"] for dataset in result["chart"]["data"]["datasets"]] == [spaced.name, dashed.name]
	assert [dataset["values"] for dataset in result["chart"]["data"]["datasets"]] == [[100], [1_000]]


def test_opportunities_without_a_stage_have_their_own_column(stages):
	opportunity(stages[0], 1_000, 10, JANUARY)
	without_stage = opportunity(stages[0], 2_000, 50, JANUARY)
	frappe.db.set_value("Pipeline Opportunity", without_stage.name, "sales_stage", None)
	assert by_stage(forecast(), "Jan 2027") == {stages[0].name: 100, "No Stage": 1_000}


def test_an_opportunity_without_a_currency_counts_in_the_default_currency(stages):
	"""The desk shows the amounts of an opportunity without a currency in the site's default
	currency: the forecast of that currency counts it, the forecast of another does not."""
	default_currency = frappe.db.get_default("currency")
	other_currency = "EUR" if default_currency != "EUR" else "USD"
	without_currency = opportunity(stages[0], 3_000, 50, JANUARY)
	frappe.db.set_value("Pipeline Opportunity", without_currency.name, "currency", None)
	assert rows_by_month(forecast(currency=default_currency))["Jan 2027"]["amount"] == 3_000
	assert "Jan 2027" not in rows_by_month(forecast(currency=other_currency))


def test_a_sales_manager_without_sales_user_picks_a_currency_and_sees_the_forecast(stages):
	"""Frappe gives Currency no permission to Sales Manager: the report's currency filter searches
	through the app's query, and the report runs in the currency picked."""
	opportunity(stages[0], 8_000, 25, JANUARY, currency="EUR")
	manager = factories.make_user(roles=("Sales Manager",))
	frappe.set_user(manager.name)
	assert "Sales User" not in frappe.get_roles()
	found = search_link("Currency", "EUR", query="sales_pipeline.sales_pipeline.currency.search_currencies")
	assert "EUR" in [row["value"] for row in found]
	assert rows_by_month(forecast(currency="EUR"))["Jan 2027"]["weighted_amount"] == 2_000


def test_a_user_without_a_sales_role_is_refused(as_user):
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		forecast()


def test_a_sales_user_sees_the_forecast(as_user, stages):
	opportunity(stages[0], 5_000, 10, JANUARY)
	as_user(factories.SALES_USER)
	assert rows_by_month(forecast())["Jan 2027"]["weighted_amount"] == 500


# Overdue and No Date


@pytest.fixture
def owner():
	"""A new sales user: the opportunities a test gives them are the only ones of that owner, so
	the Overdue and No Date rows, which show whatever the range, hold the test's own only."""
	return factories.make_user(roles=("Sales User",)).name


def test_overdue_and_undated_opportunities_have_rows_of_their_own(stages, owner):
	"""Open opportunities whose expected closing is before today (this month's too) show in an
	Overdue row before the months, those without one in a No Date row after them; the current month
	holds the closings from today on. Closed ones are not counted."""
	stage = stages[0]
	opportunity(stage, 1_000, 10, "2026-08-31", opportunity_owner=owner)
	opportunity(stage, 2_000, 20, "2026-11-15", opportunity_owner=owner)
	opportunity(stage, 3_000, 30, TODAY, opportunity_owner=owner)
	opportunity(stage, 4_000, 40, None, opportunity_owner=owner)
	opportunity(stage, 5_000, 50, "2026-10-01", opportunity_owner=owner).close_opportunity()
	result = forecast(from_date="2026-11-01", to_date="2027-04-30", opportunity_owner=owner)
	assert [row["month"] for row in rows(result)] == ["Overdue", "Nov 2026", "No Date"]
	months = rows_by_month(result)
	assert [(months[month]["opportunities"], months[month]["amount"]) for month in months] == [
		(2, 3_000),
		(1, 3_000),
		(1, 4_000),
	]
	assert [months[month]["weighted_amount"] for month in months] == [500, 900, 1_600]
	assert (summary(result)["Open Opportunities"], summary(result)["Pipeline Amount"]) == (4, 10_000)
	assert summary(result)["Forecast by Opportunity Probability"] == 3_000
	assert result["chart"]["data"]["labels"] == ["Overdue", "Nov 2026", "No Date"]


def test_a_deal_whose_closing_slipped_stays_in_the_forecast(stages, owner, clock):
	"""Expected in December; on December 20th, still open, it is Overdue, with the same weight, in
	the range the desk proposes then (from the first of the month) and in January's."""
	opportunity(stages[0], 8_000, 25, "2026-12-10", opportunity_owner=owner)
	before = forecast(from_date="2026-11-01", to_date="2027-04-30", opportunity_owner=owner)
	assert [row["month"] for row in rows(before)] == ["Dec 2026"]
	clock.move_to(NOON_UTC.format("2026-12-20"))
	after = forecast(from_date="2026-12-01", to_date="2027-05-31", opportunity_owner=owner)
	assert [(row["month"], row["weighted_amount"]) for row in rows(after)] == [("Overdue", 2_000)]
	clock.move_to(NOON_UTC.format("2027-01-05"))
	january = forecast(from_date="2027-01-01", to_date="2027-06-30", opportunity_owner=owner)
	assert [(row["month"], row["weighted_amount"]) for row in rows(january)] == [("Overdue", 2_000)]
	assert summary(january)["Forecast by Opportunity Probability"] == 2_000


def test_overdue_and_undated_rows_show_whatever_the_range(stages, owner):
	"""The range chooses the months; a range in the future or in the past still shows the deals
	that are overdue or undated."""
	stage = stages[0]
	opportunity(stage, 1_000, 10, "2026-10-05", opportunity_owner=owner)
	opportunity(stage, 2_000, 10, None, opportunity_owner=owner)
	opportunity(stage, 3_000, 10, "2026-12-10", opportunity_owner=owner)
	opportunity(stage, 4_000, 10, "2027-03-10", opportunity_owner=owner)
	future = forecast(from_date="2027-03-01", to_date="2027-03-31", opportunity_owner=owner)
	assert [(row["month"], row["amount"]) for row in rows(future)] == [
		("Overdue", 1_000),
		("Mar 2027", 4_000),
		("No Date", 2_000),
	]
	past = forecast(from_date="2026-01-01", to_date="2026-06-30", opportunity_owner=owner)
	assert [(row["month"], row["amount"]) for row in rows(past)] == [("Overdue", 1_000), ("No Date", 2_000)]
	unbounded = forecast(from_date="", to_date="", opportunity_owner=owner)
	assert [row["month"] for row in rows(unbounded)] == ["Overdue", "Dec 2026", "Mar 2027", "No Date"]


def test_a_range_starting_after_today_counts_from_its_first_day(stages, owner):
	"""From December 15th: a deal expected on the 10th is neither overdue nor in the range."""
	opportunity(stages[0], 1_000, 50, "2026-12-10", opportunity_owner=owner)
	opportunity(stages[0], 2_000, 50, "2026-12-20", opportunity_owner=owner)
	opportunity(stages[0], 3_000, 50, "2027-01-31", opportunity_owner=owner)
	result = forecast(from_date="2026-12-15", to_date="2027-01-30", opportunity_owner=owner)
	assert [(row["month"], row["amount"]) for row in rows(result)] == [("Dec 2026", 2_000)]
	assert rows(result)[0]["opportunity_filters"]["expected_closing"] == [
		"between",
		["2026-12-15", "2026-12-31"],
	]


def test_on_the_first_of_a_month_nothing_of_it_is_overdue(stages, owner, clock):
	clock.move_to(NOON_UTC.format("2026-12-01"))
	opportunity(stages[0], 1_000, 50, "2026-12-01", opportunity_owner=owner)
	opportunity(stages[0], 2_000, 50, "2026-11-30", opportunity_owner=owner)
	result = forecast(from_date="2026-12-01", to_date="2027-05-31", opportunity_owner=owner)
	assert [(row["month"], row["amount"]) for row in rows(result)] == [
		("Overdue", 2_000),
		("Dec 2026", 1_000),
	]


# Rows lead to their opportunities


def listed(opportunity_filters: dict) -> set[str]:
	"""The opportunities the list shows with a row's filters (the list view sends them to
	frappe.get_list as they are)."""
	return set(
		frappe.get_list(
			"Pipeline Opportunity", filters=opportunity_filters, pluck="name", limit_page_length=0
		)
	)


def test_each_row_links_to_exactly_the_opportunities_it_counts(stages, owner):
	"""With the currency, owner and stage filters: the list filters of each row select the
	opportunities the row counts, no more, no fewer."""
	first, second = stages
	other_owner = factories.make_user(roles=("Sales User",)).name
	default_currency = frappe.db.get_default("currency")
	other_currency = "EUR" if default_currency != "EUR" else "USD"

	def new(stage, closing, **values):
		values = {"opportunity_owner": owner, "currency": default_currency, **values}
		return opportunity(stage, 1_000, 50, closing, **values).name

	expected = {
		"Overdue": {new(first, "2026-09-30"), new(second, "2026-11-02")},
		"Nov 2026": {new(first, TODAY), new(second, "2026-11-30")},
		"Dec 2026": {new(first, "2026-12-01"), new(first, "2026-12-05")},
		"Apr 2027": {new(second, "2027-04-30")},
		"No Date": {new(first, None)},
	}
	# In the default currency, an opportunity without a currency counts.
	frappe.db.set_value("Pipeline Opportunity", sorted(expected["Dec 2026"])[0], "currency", None)
	new(first, "2027-05-01")  # after the range
	in_other_currency = new(first, "2026-12-05", currency=other_currency)
	new(first, "2026-12-05", opportunity_owner=other_owner)
	opportunity(first, 1_000, 50, "2026-10-01", opportunity_owner=owner).close_opportunity()
	filters = {"from_date": "2026-11-01", "to_date": "2027-04-30", "opportunity_owner": owner}

	result = forecast(**filters, currency=default_currency)
	assert {row["month"]: listed(row["opportunity_filters"]) for row in rows(result)} == expected
	assert all(row["opportunities"] == len(expected[row["month"]]) for row in rows(result))

	in_second_stage = forecast(**filters, currency=default_currency, sales_stage=second.name)
	stage_of = dict(frappe.get_all("Pipeline Opportunity", fields=["name", "sales_stage"], as_list=True))
	assert {row["month"]: listed(row["opportunity_filters"]) for row in rows(in_second_stage)} == {
		month: {name for name in names if stage_of[name] == second.name}
		for month, names in expected.items()
		if month in ("Overdue", "Nov 2026", "Apr 2027")
	}
	other = forecast(**filters, currency=other_currency)
	assert {row["month"]: listed(row["opportunity_filters"]) for row in rows(other)} == {
		"Dec 2026": {in_other_currency}
	}


def test_a_user_restricted_to_one_customer_sees_and_lists_its_opportunities_only(owner, as_user, stages):
	"""User Permissions hold in every row, Overdue and No Date included, and in the lists the rows
	lead to."""
	allowed, other = factories.make_customer(), factories.make_customer()

	def new(customer, closing):
		return factories.make_opportunity(
			customer,
			items=0,
			sales_stage=stages[0].name,
			opportunity_amount=1_000,
			probability=50,
			expected_closing=closing,
			currency="USD",
			opportunity_owner=owner,
			transaction_date="2026-01-02",
		).name

	mine = {
		"Overdue": {new(allowed, "2026-10-01")},
		"Dec 2026": {new(allowed, "2026-12-01")},
		"No Date": {new(allowed, None)},
	}
	for closing in ("2026-10-01", "2026-12-01", None):
		new(other, closing)
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Pipeline Customer", "for_value": allowed.name}
	).insert()
	as_user(user)
	result = forecast(from_date="2026-11-01", to_date="2027-04-30", opportunity_owner=owner)
	assert {row["month"]: row["opportunities"] for row in rows(result)} == {
		"Overdue": 1,
		"Dec 2026": 1,
		"No Date": 1,
	}
	assert {row["month"]: listed(row["opportunity_filters"]) for row in rows(result)} == mine
	assert summary(result)["Pipeline Amount"] == 3_000


# Probability basis


def convert(opportunity):
	quotation = make_quotation(opportunity.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	quotation.set_as_ordered()


def lose(opportunity):
	opportunity.reload()
	opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])


def test_the_learned_basis_weighs_by_the_win_rate_learned_for_the_stage(owner, clock):
	"""With a prior weight of 2: stage One (default 20%) won 2 and lost 1 in the last year, so it
	learns 100 x (2 + 2 x 0.2) / (3 + 2) = 48%; stage Two (default 50%) lost 2: 100 x (0 + 2 x 0.5) /
	(2 + 2) = 25%. An opportunity without a stage keeps its own probability. The summary shows both
	forecasts whichever basis the rows use."""
	one = factories.make_sales_stage(probability=20, sort_order=1)
	two = factories.make_sales_stage(probability=50, sort_order=2)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 2)
	clock.move_to(NOON_UTC.format("2026-05-04"))
	won = [opportunity(one, 1_000, 20, "2026-06-30") for _ in range(2)]
	lost = [opportunity(one, 1_000, 20, "2026-06-30"), opportunity(two, 1_000, 50, "2026-06-30")]
	lost.append(opportunity(two, 1_000, 50, "2026-06-30"))
	clock.move_to(NOON_UTC.format("2026-06-01"))
	for deal in won:
		convert(deal)
	for deal in lost:
		lose(deal)
	clock.move_to(NOON_UTC.format(TODAY))
	rates = get_win_rates()
	assert [(rates[stage.name]["won"], rates[stage.name]["lost"]) for stage in (one, two)] == [(2, 1), (0, 2)]

	opportunity(one, 1_000, 20, "2026-12-10", opportunity_owner=owner)
	opportunity(two, 2_000, 50, "2026-12-10", opportunity_owner=owner)
	without_stage = opportunity(one, 500, 40, "2026-12-10", opportunity_owner=owner)
	frappe.db.set_value("Pipeline Opportunity", without_stage.name, "sales_stage", None)
	filters = {"from_date": "2026-11-01", "to_date": "2027-04-30", "opportunity_owner": owner}
	by_opportunity = forecast(**filters, probability_basis="Opportunity")
	learned = forecast(**filters, probability_basis="Learned")

	assert by_stage(by_opportunity, "Dec 2026") == {one.name: 200, two.name: 1_000, "No Stage": 200}
	assert by_stage(learned, "Dec 2026") == pytest.approx({one.name: 480, two.name: 500, "No Stage": 200})
	assert rows_by_month(by_opportunity)["Dec 2026"]["weighted_amount"] == 1_400
	assert rows_by_month(learned)["Dec 2026"]["weighted_amount"] == pytest.approx(1_180)
	for result in (by_opportunity, learned):
		cards = summary(result)
		assert (cards["Open Opportunities"], cards["Pipeline Amount"]) == (3, 3_500)
		assert cards["Forecast by Opportunity Probability"] == 1_400
		assert cards["Forecast by Learned Win Rate"] == pytest.approx(1_180)
	assert [row["opportunities"] for row in rows(learned)] == [3]


def test_without_history_a_stage_learns_its_default_probability(stages, owner):
	"""No deal of the stage closed: the learned probability is the stage's default."""
	stage = stages[0]
	opportunity(stage, 1_000, 5, "2026-12-10", opportunity_owner=owner)
	result = forecast(
		from_date="2026-11-01", to_date="2027-04-30", opportunity_owner=owner, probability_basis="Learned"
	)
	assert by_stage(result, "Dec 2026") == pytest.approx({stage.name: 10 * stage.probability})


@pytest.mark.parametrize("basis", ["Magic", "learned", ["Learned"], {"basis": "Learned"}, 1])
def test_a_probability_basis_that_is_not_offered_is_refused(basis, as_user):
	as_user(factories.SALES_USER)
	with pytest.raises(frappe.ValidationError) as refused:
		forecast(probability_basis=basis)
	assert "probability_basis" in str(refused.value)
