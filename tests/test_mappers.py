"""Lead -> Opportunity / Customer and Opportunity -> Quotation / Supplier Quotation copy-over."""

import json

import frappe
import pytest
from frappe.model.mapper import get_mapped_doc
from frappe.utils import nowdate

from sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead import make_customer, make_opportunity
from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity import pipeline_opportunity
from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	make_quotation,
	make_supplier_quotation,
)
from tests import factories
from tests.statements import statements_of


def opportunity_with_contact(items=2, **values):
	customer = factories.make_customer(default_currency="EUR")
	return factories.make_opportunity(
		customer,
		items=items,
		currency="EUR",
		contact_email=factories.fake.email(),
		contact_mobile=factories.fake.msisdn(),
		**values,
	)


class TestMakeOpportunity:
	def test_copies_the_lead_as_party_and_its_contact_details(self):
		lead = factories.make_lead(company_name="Umbrella Corp")
		opportunity = make_opportunity(lead.name)
		assert opportunity.doctype == "Pipeline Opportunity"
		assert opportunity.is_new()
		assert (opportunity.opportunity_from, opportunity.party_name) == ("Pipeline Lead", lead.name)
		assert opportunity.customer_name == "Umbrella Corp"
		assert opportunity.contact_email == lead.email_id
		assert opportunity.contact_mobile == lead.mobile_no

	def test_does_not_copy_the_leads_status_series_or_follow_up(self):
		lead = factories.make_lead(to_discuss="pricing")
		opportunity = make_opportunity(lead.name)
		assert opportunity.naming_series == "OPP-.YYYY.-"
		assert opportunity.status == "Open"
		assert not opportunity.contact_by
		assert not opportunity.to_discuss

	def test_the_mapped_opportunity_saves_and_moves_the_lead_to_opportunity(self):
		lead = factories.make_lead()
		opportunity = make_opportunity(lead.name)
		opportunity.insert()
		assert opportunity.name.startswith("OPP-")
		assert frappe.db.get_value("Pipeline Lead", lead.name, "status") == "Opportunity"

	def test_refused_for_a_converted_lead(self):
		lead = factories.make_lead()
		make_customer(lead.name).insert()
		with pytest.raises(frappe.ValidationError, match="already converted"):
			make_opportunity(lead.name)

	def test_refused_for_a_do_not_contact_lead(self):
		lead = factories.make_lead(status="Do Not Contact")
		with pytest.raises(frappe.ValidationError, match="Do Not Contact"):
			make_opportunity(lead.name)


class TestMakeCustomer:
	def test_copies_name_type_email_mobile_and_the_lead(self):
		lead = factories.make_lead(company_name="Stark Industries")
		customer = make_customer(lead.name)
		assert customer.doctype == "Pipeline Customer"
		assert customer.customer_name == "Stark Industries"
		assert customer.customer_type == "Company"
		assert customer.lead_name == lead.name
		assert (customer.email_id, customer.mobile_no) == (lead.email_id, lead.mobile_no)

	def test_a_person_without_organisation_becomes_an_individual(self):
		lead = factories.make_lead(company_name=None, lead_name="Tony Stark")
		customer = make_customer(lead.name)
		assert (customer.customer_name, customer.customer_type) == ("Tony Stark", "Individual")

	def test_saving_the_customer_converts_the_lead(self):
		lead = factories.make_lead()
		customer = make_customer(lead.name).insert()
		lead.reload()
		assert lead.status == "Converted"
		assert lead.customer == customer.name

	def test_a_lead_cannot_be_converted_twice(self):
		lead = factories.make_lead()
		make_customer(lead.name).insert()
		with pytest.raises(frappe.ValidationError, match="already converted"):
			make_customer(lead.name)


class TestMakeQuotation:
	def test_copies_party_currency_contact_and_the_opportunity(self):
		opportunity = opportunity_with_contact()
		quotation = make_quotation(opportunity.name)
		assert quotation.doctype == "Pipeline Quotation"
		assert quotation.is_new()
		assert quotation.quotation_to == "Pipeline Customer"
		assert quotation.party_name == opportunity.party_name
		assert quotation.customer_name == opportunity.customer_name
		assert quotation.currency == "EUR"
		assert quotation.contact_email == opportunity.contact_email
		assert quotation.contact_mobile == opportunity.contact_mobile
		assert quotation.opportunity == opportunity.name

	def test_copies_every_item_with_its_source_row(self):
		opportunity = opportunity_with_contact(items=3)
		quotation = make_quotation(opportunity.name)
		assert len(quotation.items) == 3
		for source, row in zip(opportunity.items, quotation.items, strict=True):
			for fieldname in ("item_code", "item_name", "description", "qty", "uom", "rate", "amount"):
				assert row.get(fieldname) == source.get(fieldname), fieldname
			assert row.opportunity_item == source.name
		assert quotation.total == opportunity.total

	def test_links_the_opportunity_when_it_has_no_items(self):
		"""Unlike ERPNext, the link is set whether or not there are items."""
		opportunity = opportunity_with_contact(items=0)
		quotation = make_quotation(opportunity.name)
		assert quotation.opportunity == opportunity.name
		assert quotation.items == []

	def test_gets_its_own_series_date_status_and_validity(self):
		opportunity = opportunity_with_contact(transaction_date="2026-01-05", expected_closing="2026-12-31")
		quotation = make_quotation(opportunity.name)
		assert quotation.naming_series == "QTN-.YYYY.-"
		assert str(quotation.transaction_date) == nowdate()
		assert quotation.status == "Draft"
		assert quotation.valid_till

	def test_the_mapped_quotation_saves_as_it_is(self):
		opportunity = opportunity_with_contact()
		quotation = make_quotation(opportunity.name).insert()
		assert quotation.name.startswith("QTN-")
		assert quotation.total == opportunity.total

	def test_quotes_an_opportunity_from_a_lead(self):
		lead = factories.make_lead()
		opportunity = factories.make_opportunity(lead)
		quotation = make_quotation(opportunity.name)
		assert (quotation.quotation_to, quotation.party_name) == ("Pipeline Lead", lead.name)

	@pytest.mark.parametrize("status_method", ["close_opportunity", "declare_enquiry_lost"])
	def test_refused_for_a_lost_or_closed_opportunity(self, status_method):
		opportunity = opportunity_with_contact()
		if status_method == "declare_enquiry_lost":
			opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])
		else:
			opportunity.close_opportunity()
		with pytest.raises(frappe.ValidationError, match="Reopen it before quoting"):
			make_quotation(opportunity.name)

	def test_merges_into_a_draft_quotation_the_client_sends(self):
		opportunity = opportunity_with_contact()
		target = frappe.new_doc("Pipeline Quotation").as_dict()
		quotation = make_quotation(opportunity.name, json.dumps(target, default=str))
		assert quotation.doctype == "Pipeline Quotation"
		assert quotation.opportunity == opportunity.name


class TestMakeSupplierQuotation:
	def test_copies_the_opportunity_and_items_but_not_the_customer_rates(self):
		opportunity = opportunity_with_contact(items=2)
		supplier_quotation = make_supplier_quotation(opportunity.name)
		assert supplier_quotation.doctype == "Pipeline Supplier Quotation"
		assert supplier_quotation.opportunity == opportunity.name
		assert len(supplier_quotation.items) == 2
		for source, row in zip(opportunity.items, supplier_quotation.items, strict=True):
			for fieldname in ("item_code", "item_name", "description", "qty", "uom"):
				assert row.get(fieldname) == source.get(fieldname), fieldname
			assert row.opportunity_item == source.name
			assert not row.rate
			assert not row.amount
		assert not supplier_quotation.total

	def test_does_not_copy_the_customers_currency_or_date(self):
		opportunity = opportunity_with_contact(transaction_date="2026-01-05")
		supplier_quotation = make_supplier_quotation(opportunity.name)
		assert supplier_quotation.currency != "EUR"
		assert str(supplier_quotation.transaction_date) == nowdate()
		assert supplier_quotation.naming_series == "SQTN-.YYYY.-"

	def test_saves_once_a_supplier_and_rates_are_filled(self):
		opportunity = opportunity_with_contact(items=1)
		supplier_quotation = make_supplier_quotation(opportunity.name)
		supplier_quotation.supplier = factories.make_supplier().name
		supplier_quotation.items[0].rate = 12
		supplier_quotation.insert()
		assert supplier_quotation.total == 12 * supplier_quotation.items[0].qty

	def test_refused_for_an_opportunity_without_items(self):
		opportunity = opportunity_with_contact(items=0)
		with pytest.raises(frappe.ValidationError, match="no items"):
			make_supplier_quotation(opportunity.name)

	def test_refused_for_a_closed_opportunity(self):
		opportunity = opportunity_with_contact()
		opportunity.close_opportunity()
		with pytest.raises(frappe.ValidationError, match="Closed"):
			make_supplier_quotation(opportunity.name)


@pytest.mark.parametrize(
	"mapping", [pipeline_opportunity.QUOTATION_MAPPING, pipeline_opportunity.SUPPLIER_QUOTATION_MAPPING]
)
def test_every_mapped_field_exists_on_both_sides(mapping):
	"""No mapped field is missing on the target (ERPNext's make_quotation bug, erpnext#37255)."""
	for source_doctype, table_map in mapping.items():
		source_meta, target_meta = frappe.get_meta(source_doctype), frappe.get_meta(table_map["doctype"])
		for source_field, target_field in table_map["field_map"].items():
			assert source_field == "name" or source_meta.has_field(source_field), source_field
			assert target_meta.has_field(target_field), target_field
		for fieldname in table_map.get("field_no_map", []):
			assert target_meta.has_field(fieldname), fieldname


def mapped_by_frappe(mapping, opportunity_name: str):
	return get_mapped_doc(
		"Pipeline Opportunity",
		opportunity_name,
		mapping,
		None,
		pipeline_opportunity.set_quotation_defaults,
	)


def mapped_values(doc) -> dict:
	values = doc.as_dict(no_default_fields=True, convert_dates_to_str=True)
	for table in ("items", "lost_reasons"):
		values[table] = [row.as_dict(no_default_fields=True) for row in doc.get(table) or []]
	return values


@pytest.mark.parametrize(
	("mapper", "mapping"),
	[
		(make_quotation, pipeline_opportunity.QUOTATION_MAPPING),
		(make_supplier_quotation, pipeline_opportunity.SUPPLIER_QUOTATION_MAPPING),
	],
)
def test_the_mappers_map_what_frappes_get_mapped_doc_maps(mapper, mapping):
	"""The mappers map from the opportunity their guards loaded, not through get_mapped_doc: the
	document is the one get_mapped_doc makes, field for field and row for row."""
	opportunity = opportunity_with_contact(items=3)
	assert mapped_values(mapper(opportunity.name)) == mapped_values(
		mapped_by_frappe(mapping, opportunity.name)
	)


@pytest.mark.parametrize(
	("mapper", "mapping"),
	[
		(make_quotation, pipeline_opportunity.QUOTATION_MAPPING),
		(make_supplier_quotation, pipeline_opportunity.SUPPLIER_QUOTATION_MAPPING),
	],
)
def test_the_mappers_read_the_opportunity_once(mapper, mapping, as_user):
	"""A mapper with its permission checks sends no more statements than a bare get_mapped_doc,
	which loads the opportunity and its tables once."""
	opportunity = opportunity_with_contact(items=20)
	as_user(factories.SALES_USER)
	mapper(opportunity.name), mapped_by_frappe(mapping, opportunity.name)  # metadata and settings cached
	bare = statements_of(mapped_by_frappe, mapping, opportunity.name)
	mapped = statements_of(mapper, opportunity.name)
	assert len(mapped) <= len(bare), "\n".join(mapped)
