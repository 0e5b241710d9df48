"""Numbers the database cannot hold, numbers that are no numbers, and negative amounts are refused
with a message naming the field (a ValidationError, a 417 over HTTP), never a 500 from MariaDB; the
largest value a column holds is still taken."""

import json

import frappe
import pytest
import requests
from frappe.desk.form.save import savedocs
from frappe.utils import nowdate

from tests import factories
from tests.assertions import assert_refused

# decimal(21,9): twelve digits before the point.
LARGEST_AMOUNT = 999_999_999_999
TOO_LARGE = 1e13


def new_opportunity(**values):
	lead = factories.make_lead()
	return frappe.get_doc(
		{
			"doctype": "Pipeline Opportunity",
			"opportunity_from": "Pipeline Lead",
			"party_name": lead.name,
			"transaction_date": nowdate(),
			**values,
		}
	)


def new_quotation(doctype, rows):
	if doctype == "Pipeline Supplier Quotation":
		values = {"supplier": factories.make_supplier().name}
	else:
		customer = factories.make_customer()
		values = {"quotation_to": "Pipeline Customer", "party_name": customer.name}
	return frappe.get_doc({"doctype": doctype, "transaction_date": nowdate(), "items": rows, **values})


@pytest.mark.parametrize("amount", [-1, -0.01])
def test_a_negative_opportunity_amount_is_refused(amount):
	assert_refused(new_opportunity(opportunity_amount=amount), "Opportunity Amount cannot be negative")


@pytest.mark.parametrize("amount", [TOO_LARGE, 1e12, "1e13", 1e300])
def test_an_opportunity_amount_the_column_cannot_hold_is_refused(amount):
	assert_refused(new_opportunity(opportunity_amount=amount), "Opportunity Amount is too large")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "-inf"])
def test_an_amount_that_is_no_number_is_refused(value):
	assert_refused(new_opportunity(opportunity_amount=value), "Opportunity Amount is not a number")


def test_the_largest_amount_the_column_holds_is_taken():
	opportunity = new_opportunity(opportunity_amount=LARGEST_AMOUNT).insert()
	assert (
		frappe.db.get_value("Pipeline Opportunity", opportunity.name, "opportunity_amount") == LARGEST_AMOUNT
	)


@pytest.mark.parametrize(
	"doctype", ["Pipeline Opportunity", "Pipeline Quotation", "Pipeline Supplier Quotation"]
)
@pytest.mark.parametrize(
	("row", "message"),
	[
		({"rate": TOO_LARGE}, "Row #1: Rate is too large"),
		({"qty": TOO_LARGE}, "Row #1: Quantity is too large"),
		# Each fits, the amount (qty x rate) does not.
		({"qty": 1_000_000, "rate": 10_000_000}, "Row #1: Amount is too large"),
	],
)
def test_an_item_row_the_columns_cannot_hold_is_refused(doctype, row, message):
	rows = factories.item_rows(1, **row)
	if doctype == "Pipeline Opportunity":
		doc = new_opportunity(with_items=1, items=rows)
	else:
		doc = new_quotation(doctype, rows)
	assert_refused(doc, message)


def test_a_total_the_column_cannot_hold_is_refused():
	"""Two rows that each fit, whose total does not."""
	rows = factories.item_rows(2, qty=1, rate=600_000_000_000)
	assert_refused(new_quotation("Pipeline Quotation", rows), "Total is too large")


def test_a_saved_opportunity_cannot_be_raised_past_the_column():
	opportunity = new_opportunity(opportunity_amount=1000).insert()
	opportunity.opportunity_amount = TOO_LARGE
	assert_refused(opportunity, "Opportunity Amount is too large")


def test_the_desk_save_refuses_a_negative_amount_naming_it(as_user):
	"""Through the desk's save (savedocs), as a sales user."""
	as_user(factories.SALES_USER)
	doc = new_opportunity(opportunity_amount=-500)
	with pytest.raises(frappe.ValidationError, match="Opportunity Amount cannot be negative"):
		savedocs(frappe.as_json(doc.as_dict()), "Save")


def test_an_item_standard_rate_the_column_cannot_hold_is_refused():
	item = frappe.get_doc({"doctype": "Pipeline Item", "item_code": f"BIG-{factories.fake.uuid4()}"})
	item.standard_rate = TOO_LARGE
	assert_refused(item, "Standard Selling Rate is too large")
	item.standard_rate = -1
	assert_refused(item, "Standard Selling Rate cannot be negative")


def test_a_sales_stage_sort_order_the_column_cannot_hold_is_refused():
	stage = frappe.get_doc(
		{
			"doctype": "Pipeline Sales Stage",
			"stage_name": f"Stage {factories.fake.uuid4()}",
			"probability": 10,
		}
	)
	stage.sort_order = 10_000_000_000
	assert_refused(stage, "Sort Order is too large")
	stage.sort_order = -5  # before the seeded stages: allowed
	stage.insert()


# Over HTTP: what a client actually gets back.


@pytest.fixture
def committed_lead():
	lead = factories.make_lead()
	frappe.db.commit()  # nosemgrep
	yield lead
	frappe.db.rollback()
	for name in frappe.get_all("Pipeline Opportunity", filters={"party_name": lead.name}, pluck="name"):
		frappe.delete_doc("Pipeline Opportunity", name, force=True)
	frappe.delete_doc("Pipeline Lead", lead.name, force=True)
	frappe.db.commit()  # nosemgrep


@pytest.mark.parametrize(
	("amount", "message"),
	[(-100, "cannot be negative"), (TOO_LARGE, "is too large"), ("NaN", "is not a number")],
)
def test_a_bad_amount_over_rest_gets_a_clear_message_not_a_500(amount, message, live_server, committed_lead):
	session = requests.Session()
	response = session.post(
		f"{live_server}/api/method/login",
		data={"usr": factories.SALES_USER, "pwd": factories.TEST_PASSWORD},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	# json.dumps writes NaN as the bare word NaN, which Frappe's JSON parser reads as a float.
	body = json.dumps(
		{
			"opportunity_from": "Pipeline Lead",
			"party_name": committed_lead.name,
			"transaction_date": nowdate(),
			"opportunity_amount": float(amount),
		}
	)
	response = session.post(
		f"{live_server}/api/resource/Pipeline Opportunity",
		data=body,
		headers={"Content-Type": "application/json"},
		timeout=30,
	)
	assert response.status_code == 417, response.text
	assert message in response.text
