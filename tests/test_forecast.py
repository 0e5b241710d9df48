"""The Sales Pipeline Forecast report: amount x probability by expected closing month and stage."""

import frappe
import pytest
from frappe.desk.query_report import run
from frappe.desk.search import search_link

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from tests import factories

JANUARY, FEBRUARY = "2027-01-15", "2027-02-10"


def forecast(**filters):
	filters = {"from_date": "2027-01-01", "to_date": "2027-12-31", "currency": "USD", **filters}
	return run("Sales Pipeline Forecast", filters=filters)


def opportunity(stage, amount, probability, closing, **values):
	values = {"currency": "USD", **values}
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
	weighted = {card["label"]: card["value"] for card in result["report_summary"]}["Weighted Forecast"]
	assert weighted == 4_900
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
