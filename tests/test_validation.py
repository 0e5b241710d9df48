"""Bad input is refused with a frappe.ValidationError that names the field, and nothing is saved."""

import frappe
import pytest
from frappe.utils import add_days, nowdate

from tests import factories
from tests.assertions import assert_refused


def new_opportunity(**values):
	lead = factories.make_lead()
	doc = frappe.get_doc(
		{
			"doctype": "Pipeline Opportunity",
			"opportunity_from": "Pipeline Lead",
			"party_name": lead.name,
			"transaction_date": nowdate(),
			**values,
		}
	)
	return doc


class TestOpportunityInput:
	def test_opportunity_from_must_be_a_lead_or_customer(self):
		"""A party type other than Pipeline Lead / Pipeline Customer is refused, naming Opportunity From."""
		doc = new_opportunity(opportunity_from="User", party_name="Administrator")
		assert_refused(doc, "Opportunity From")

	def test_opportunity_from_an_unknown_doctype_is_refused(self):
		doc = new_opportunity(opportunity_from="No Such DocType", party_name="x")
		assert_refused(doc, "Opportunity From")

	def test_party_must_exist(self):
		"""A party that does not exist is refused, naming the Party field."""
		doc = new_opportunity(party_name="LEAD-DOES-NOT-EXIST")
		assert_refused(doc, "Party")

	def test_party_must_exist_even_when_links_are_not_checked(self):
		"""The controller checks the party itself, so a path that skips link checks cannot store a dangling one."""
		doc = new_opportunity(party_name="LEAD-DOES-NOT-EXIST")
		doc.flags.ignore_links = True
		assert_refused(doc, "does not exist")

	@pytest.mark.parametrize("qty", [0, -3])
	def test_item_quantity_must_be_above_zero(self, qty):
		rows = factories.item_rows(1, qty=qty)
		doc = new_opportunity(with_items=1, items=rows)
		assert_refused(doc, "Quantity")

	def test_item_rate_cannot_be_negative(self):
		doc = new_opportunity(with_items=1, items=factories.item_rows(1, rate=-1))
		assert_refused(doc, "Rate")

	@pytest.mark.parametrize("probability", [-1, 100.5, 250])
	def test_probability_outside_0_to_100_is_refused(self, probability):
		doc = new_opportunity(probability=probability)
		assert_refused(doc, "Probability")

	def test_expected_closing_before_the_opportunity_date_is_refused(self):
		doc = new_opportunity(transaction_date=nowdate(), expected_closing=add_days(nowdate(), -1))
		assert_refused(doc, "Expected Closing Date")

	def test_bad_update_leaves_the_stored_opportunity_unchanged(self):
		"""An edit that fails validation changes nothing in the database."""
		opportunity = factories.make_opportunity(items=1)
		opportunity.items[0].qty = 0
		opportunity.probability = 40
		assert_refused(opportunity, "Quantity")


class TestLeadInput:
	@pytest.mark.parametrize("email", ["not-an-email", "someone@", "a b@example.com"])
	def test_lead_email_must_be_an_email(self, email):
		doc = frappe.get_doc({"doctype": "Pipeline Lead", "lead_name": "Ada Lovelace", "email_id": email})
		assert_refused(doc, "Email")

	def test_lead_email_used_by_another_lead_is_refused(self):
		existing = factories.make_lead()
		doc = frappe.get_doc(
			{"doctype": "Pipeline Lead", "lead_name": "Someone Else", "email_id": existing.email_id}
		)
		assert_refused(doc, "Email")

	def test_changing_a_lead_to_another_leads_email_is_refused(self):
		first, second = factories.make_lead(), factories.make_lead()
		second.email_id = first.email_id
		assert_refused(second, "already used")

	def test_the_database_refuses_a_second_lead_with_the_same_email(self):
		"""Two requests at once both pass the check in Python; the unique index stops the second."""
		existing = factories.make_lead()
		duplicate = frappe.get_doc(
			{"doctype": "Pipeline Lead", "lead_name": "Someone Else", "email_id": existing.email_id.upper()}
		)
		duplicate.set_new_name()
		with pytest.raises(frappe.UniqueValidationError):
			duplicate.db_insert()

	def test_saving_a_lead_again_with_its_own_email_is_allowed(self):
		lead = factories.make_lead()
		lead.mobile_no = "+15550001111"
		lead.save()


class TestMasterInput:
	def test_duplicate_customer_name_is_refused(self):
		existing = factories.make_customer()
		doc = frappe.get_doc({"doctype": "Pipeline Customer", "customer_name": existing.customer_name})
		assert_refused(doc, "Customer Name")

	def test_duplicate_customer_name_differing_only_in_case_is_refused(self):
		existing = factories.make_customer()
		doc = frappe.get_doc(
			{"doctype": "Pipeline Customer", "customer_name": existing.customer_name.upper()}
		)
		assert_refused(doc, "Customer Name")

	def test_customer_email_must_be_an_email(self):
		doc = frappe.get_doc(
			{"doctype": "Pipeline Customer", "customer_name": "Valid Name Ltd", "email_id": "nope"}
		)
		assert_refused(doc, "Email")

	def test_duplicate_supplier_name_is_refused(self):
		existing = factories.make_supplier()
		doc = frappe.get_doc({"doctype": "Pipeline Supplier", "supplier_name": existing.supplier_name})
		assert_refused(doc, "Supplier Name")

	def test_item_standard_rate_cannot_be_negative(self):
		doc = frappe.get_doc({"doctype": "Pipeline Item", "item_code": "NEG-RATE", "standard_rate": -5})
		assert_refused(doc, "Standard Selling Rate")

	def test_sales_stage_probability_outside_0_to_100_is_refused(self):
		doc = frappe.get_doc(
			{"doctype": "Pipeline Sales Stage", "stage_name": "Too Sure", "probability": 101}
		)
		assert_refused(doc, "Probability")


class TestQuotationInput:
	def test_quotation_to_must_be_a_lead_or_customer(self):
		doc = frappe.get_doc(
			{
				"doctype": "Pipeline Quotation",
				"quotation_to": "User",
				"party_name": "Administrator",
				"items": factories.item_rows(1),
			}
		)
		assert_refused(doc, "Quotation To")

	def test_quotation_item_quantity_must_be_above_zero(self):
		customer = factories.make_customer()
		doc = frappe.get_doc(
			{
				"doctype": "Pipeline Quotation",
				"quotation_to": "Pipeline Customer",
				"party_name": customer.name,
				"items": factories.item_rows(1, qty=0),
			}
		)
		assert_refused(doc, "Quantity")

	def test_quotation_valid_till_before_its_date_is_refused(self):
		customer = factories.make_customer()
		doc = frappe.get_doc(
			{
				"doctype": "Pipeline Quotation",
				"quotation_to": "Pipeline Customer",
				"party_name": customer.name,
				"transaction_date": nowdate(),
				"valid_till": add_days(nowdate(), -2),
				"items": factories.item_rows(1),
			}
		)
		assert_refused(doc, "Valid Till")

	def test_supplier_quotation_needs_an_existing_supplier(self):
		doc = frappe.get_doc(
			{
				"doctype": "Pipeline Supplier Quotation",
				"supplier": "Nobody Supplies",
				"items": factories.item_rows(1),
			}
		)
		assert_refused(doc, "Supplier")

	def test_supplier_quotation_rate_cannot_be_negative(self):
		doc = frappe.get_doc(
			{
				"doctype": "Pipeline Supplier Quotation",
				"supplier": factories.make_supplier().name,
				"items": factories.item_rows(1, rate=-10),
			}
		)
		assert_refused(doc, "Rate")
