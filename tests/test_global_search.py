"""Leads, customers, suppliers, opportunities and quotations are found from anywhere: Frappe's global
search (the awesomebar's "Search for ...") by name, company or customer name, contact name and email."""

import frappe
import pytest
from frappe.utils.global_search import search, sync_global_search
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.global_search import (
	SEARCHABLE_DOCTYPES,
	allow_in_global_search,
	remove_from_global_search,
)
from tests import factories


def found(text: str) -> set[tuple[str, str]]:
	"""What global search returns for `text` as the session user, after the queued index updates
	are written (a background job does that on a live site)."""
	sync_global_search()
	return {(row.doctype, row.name) for row in search(text, limit=100)}


def test_the_app_doctypes_are_listed_in_global_search_settings():
	"""Install and migrate list the app's DocTypes in Global Search Settings."""
	allow_in_global_search()
	listed = [
		row.document_type for row in frappe.get_single("Global Search Settings").allowed_in_global_search
	]
	assert set(SEARCHABLE_DOCTYPES) <= set(listed)
	assert len(listed) == len(set(listed))


@pytest.mark.parametrize("field", ["company_name", "lead_name", "email_id", "name"])
def test_a_lead_is_found_by_company_person_email_and_name(field, as_user):
	lead = factories.make_lead()
	as_user(factories.SALES_USER)
	assert ("Pipeline Lead", lead.name) in found(lead.get(field))


@pytest.mark.parametrize("field", ["customer_name", "email_id"])
def test_a_customer_is_found_by_name_and_email(field, as_user):
	customer = factories.make_customer()
	as_user(factories.SALES_USER)
	assert ("Pipeline Customer", customer.name) in found(customer.get(field))


def test_a_supplier_is_found_by_name_and_email(as_user):
	supplier = factories.make_supplier()
	as_user(factories.SALES_USER)
	assert ("Pipeline Supplier", supplier.name) in found(supplier.email_id)


def test_the_leads_person_reaches_the_opportunity_and_quotation_and_finds_them(as_user):
	"""An opportunity and quotation of a lead carry the lead's person as Contact Name and are found
	by it, and by the company (customer name)."""
	lead = factories.make_lead()
	opportunity = factories.make_opportunity(lead)
	quotation = make_quotation(opportunity.name).insert()
	assert opportunity.contact_name == lead.lead_name
	assert quotation.contact_name == lead.lead_name
	as_user(factories.SALES_USER)
	by_person = found(lead.lead_name)
	assert {("Pipeline Opportunity", opportunity.name), ("Pipeline Quotation", quotation.name)} <= by_person
	assert ("Pipeline Opportunity", opportunity.name) in found(lead.company_name)
	assert ("Pipeline Quotation", quotation.name) in found(quotation.name)


def test_a_contact_name_given_is_kept():
	lead = factories.make_lead()
	opportunity = factories.make_opportunity(lead, contact_name="Dana Buyer")
	assert opportunity.contact_name == "Dana Buyer"


def test_a_user_without_a_sales_role_finds_nothing_of_the_app(as_user):
	"""Global search lists only DocTypes the user may read."""
	lead = factories.make_lead()
	as_user(factories.OUTSIDER)
	assert ("Pipeline Lead", lead.name) not in found(lead.company_name)


def test_uninstall_leaves_no_app_doctype_in_global_search_settings():
	"""Before uninstall, the app's DocTypes leave Global Search Settings; the others stay."""
	before = [
		row.document_type for row in frappe.get_single("Global Search Settings").allowed_in_global_search
	]
	remove_from_global_search()
	after = [
		row.document_type for row in frappe.get_single("Global Search Settings").allowed_in_global_search
	]
	assert after == [doctype for doctype in before if doctype not in SEARCHABLE_DOCTYPES]


def test_an_opportunity_made_from_a_lead_shows_its_person_before_saving():
	from sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead import make_opportunity

	lead = factories.make_lead()
	assert make_opportunity(lead.name).contact_name == lead.lead_name


def test_a_user_restricted_to_one_customer_does_not_find_the_others(as_user):
	"""Frappe's search checks only the DocType; the app's override drops the records a User
	Permission hides, through the same whitelisted path the awesomebar calls."""
	from frappe.handler import execute_cmd

	marker = f"zq{frappe.generate_hash(length=8)}"
	allowed = factories.make_customer(email_id=f"{marker}.allowed@example.com")
	hidden = factories.make_customer(email_id=f"{marker}.hidden@example.com")
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Pipeline Customer", "for_value": allowed.name}
	).insert()
	sync_global_search()
	assert {("Pipeline Customer", allowed.name), ("Pipeline Customer", hidden.name)} <= found(marker)
	as_user(user)
	frappe.local.request = Request(EnvironBuilder(method="GET").get_environ())
	frappe.local.form_dict = frappe._dict(text=marker, limit=100)
	try:
		results = {(row["doctype"], row["name"]) for row in execute_cmd("frappe.utils.global_search.search")}
	finally:
		del frappe.local.request
	assert ("Pipeline Customer", allowed.name) in results
	assert ("Pipeline Customer", hidden.name) not in results
