"""Values the server derives itself, whatever the client sends."""

import frappe
from frappe.utils import flt

from tests import factories


def test_item_amount_is_qty_times_rate_and_total_is_their_sum():
	"""Amounts sent by the client are ignored: amount = qty x rate, total = sum of amounts."""
	rows = factories.item_rows(2)
	rows[0].update(qty=3, rate=12.5, amount=999999)
	rows[1].update(qty=2, rate=100, amount=1)
	opportunity = factories.make_opportunity(items=rows, total=5)
	assert [row.amount for row in opportunity.items] == [37.5, 200]
	assert opportunity.total == 237.5
	stored = frappe.get_doc("Pipeline Opportunity", opportunity.name)
	assert stored.total == 237.5


def test_opportunity_amount_follows_the_items_total():
	rows = factories.item_rows(1)
	rows[0].update(qty=4, rate=10)
	opportunity = factories.make_opportunity(items=rows, opportunity_amount=123456)
	assert opportunity.opportunity_amount == 40
	assert opportunity.with_items == 1


def test_opportunity_amount_is_kept_when_there_are_no_items():
	opportunity = factories.make_opportunity(items=0, opportunity_amount=5000)
	assert opportunity.opportunity_amount == 5000
	assert opportunity.total == 0


def test_customer_name_and_title_come_from_the_lead():
	"""For a lead the organisation name is shown, or the person when there is none; client values are replaced."""
	lead = factories.make_lead(company_name="Initech Ltd")
	opportunity = factories.make_opportunity(lead, customer_name="Forged", title="Forged")
	assert opportunity.customer_name == "Initech Ltd"
	assert opportunity.title == "Initech Ltd"
	person = factories.make_lead(company_name=None, lead_name="Peter Gibbons")
	assert factories.make_opportunity(person).customer_name == "Peter Gibbons"


def test_customer_name_comes_from_the_customer():
	customer = factories.make_customer()
	opportunity = factories.make_opportunity(customer, customer_name="Forged")
	assert opportunity.customer_name == customer.customer_name
	assert opportunity.title == customer.customer_name


def test_probability_comes_from_the_sales_stage_when_empty():
	stage = factories.make_sales_stage(probability=35)
	opportunity = factories.make_opportunity(sales_stage=stage.name)
	assert opportunity.probability == 35


def test_probability_given_by_the_user_is_kept():
	stage = factories.make_sales_stage(probability=35)
	opportunity = factories.make_opportunity(sales_stage=stage.name, probability=80)
	assert opportunity.probability == 80


def test_new_opportunity_gets_the_default_sales_stage():
	stage = factories.make_sales_stage(probability=15)
	settings = frappe.get_single("Pipeline Settings")
	settings.default_sales_stage = stage.name
	settings.save()
	opportunity = factories.make_opportunity()
	assert opportunity.sales_stage == stage.name
	assert opportunity.probability == 15


def test_new_opportunity_gets_the_site_currency():
	assert factories.make_opportunity().currency == frappe.db.get_default("currency")


def test_item_details_are_filled_from_the_item():
	item = factories.make_item(item_name="Widget Pro", uom="Box", standard_rate=42)
	opportunity = factories.make_opportunity(items=[{"item_code": item.name, "qty": 2}])
	row = opportunity.items[0]
	assert (row.item_name, row.uom, row.description) == ("Widget Pro", "Box", item.description)
	assert row.rate == 42
	assert row.amount == 84


def test_supplier_quotation_does_not_take_the_customer_rate():
	"""A supplier quotation row without a rate stays at 0: the supplier's price is what the user collects."""
	item = factories.make_item(standard_rate=42)
	supplier_quotation = factories.make_supplier_quotation(items=[{"item_code": item.name, "qty": 2}])
	assert flt(supplier_quotation.items[0].rate) == 0
	assert supplier_quotation.supplier_name == frappe.db.get_value(
		"Pipeline Supplier", supplier_quotation.supplier, "supplier_name"
	)


def test_quotation_totals_party_name_and_validity():
	customer = factories.make_customer()
	rows = factories.item_rows(1)
	rows[0].update(qty=2, rate=15, amount=0)
	quotation = factories.make_quotation(customer, items=rows, customer_name="Forged")
	assert quotation.total == 30
	assert quotation.customer_name == customer.customer_name
	assert quotation.valid_till  # from the default validity
	assert quotation.status == "Draft"


def test_lead_title_is_the_organisation_or_the_person():
	assert factories.make_lead(company_name="Hooli").title == "Hooli"
	assert factories.make_lead(company_name=None, lead_name="Gavin Belson").title == "Gavin Belson"
