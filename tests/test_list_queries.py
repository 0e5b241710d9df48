"""The lists of a user restricted by User Permissions show what Frappe's rule shows, through a
condition the party links' indexes serve (user_permission_conditions.py)."""

import frappe
import pytest

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	make_quotation,
	make_supplier_quotation,
)
from sales_pipeline.sales_pipeline.indexes import LIST_DOCTYPES
from sales_pipeline.sales_pipeline.user_permission_conditions import get_permission_query_conditions
from tests import factories

TRANSACTIONS = ("Pipeline Opportunity", "Pipeline Quotation", "Pipeline Supplier Quotation")


def restricted_user(**allowed) -> str:
	"""A new Sales User with a User Permission on each given record: allowed={DocType: [names]}."""
	user = factories.make_user(roles=("Sales User",)).name
	for allow, names in allowed.items():
		for name in names:
			frappe.get_doc(
				{"doctype": "User Permission", "user": user, "allow": allow, "for_value": name}
			).insert()
	return user


def frappes_rule(doctype: str, leads: list[str], customers: list[str]) -> set[str]:
	"""The documents Frappe's own condition shows a user restricted to `leads` and `customers`."""
	Doc = frappe.qb.DocType(doctype)
	query = frappe.qb.from_(Doc).select(Doc.name)
	if doctype == "Pipeline Lead":
		query = query.where(Doc.name.isin(leads)).where(
			Doc.customer.isnull() | (Doc.customer == "") | Doc.customer.isin(customers)
		)
	elif doctype == "Pipeline Customer":
		query = query.where(Doc.name.isin(customers)).where(
			Doc.lead_name.isnull() | (Doc.lead_name == "") | Doc.lead_name.isin(leads)
		)
	else:
		query = query.where(Doc.lead.isnull() | (Doc.lead == "") | Doc.lead.isin(leads)).where(
			Doc.customer.isnull() | (Doc.customer == "") | Doc.customer.isin(customers)
		)
	return {row[0] for row in query.run()}


@pytest.fixture
def parties_and_deals():
	"""Two leads and two customers, each with an opportunity, a quotation and a supplier quotation,
	and a supplier quotation made without an opportunity."""
	docs = frappe._dict(leads=[], customers=[])
	for kind, make in (("leads", factories.make_lead), ("customers", factories.make_customer)):
		for _ in range(2):
			party = make()
			opportunity = factories.make_opportunity(party)
			make_quotation(opportunity.name).insert()
			supplier_quotation = make_supplier_quotation(opportunity.name)
			supplier_quotation.supplier = factories.make_supplier().name
			supplier_quotation.insert()
			docs[kind].append(party.name)
	docs.without_opportunity = factories.make_supplier_quotation().name
	return docs


def test_a_user_restricted_to_leads_and_customers_lists_what_frappes_rule_shows(parties_and_deals, as_user):
	docs = parties_and_deals
	leads, customers = docs.leads[:1], docs.customers[:1]
	as_user(restricted_user(**{"Pipeline Lead": leads, "Pipeline Customer": customers}))
	for doctype in (*TRANSACTIONS, "Pipeline Lead", "Pipeline Customer"):
		listed = set(frappe.get_list(doctype, pluck="name", limit_page_length=0))
		assert listed == frappes_rule(doctype, leads, customers), doctype
		assert frappe.db.count(doctype) > len(listed) >= 1, doctype
	assert docs.without_opportunity in frappe.get_list(
		"Pipeline Supplier Quotation", pluck="name", limit_page_length=0
	)


def test_the_restriction_is_also_a_condition_on_the_indexed_party_links(parties_and_deals):
	docs = parties_and_deals
	user = restricted_user(**{"Pipeline Lead": docs.leads[:1], "Pipeline Customer": docs.customers[:1]})
	condition = get_permission_query_conditions(user, "Pipeline Opportunity")
	assert condition == (
		f"(`tabPipeline Opportunity`.`lead` in ({frappe.db.escape(docs.leads[0])}) or "
		f"`tabPipeline Opportunity`.`customer` in ({frappe.db.escape(docs.customers[0])}))"
	)
	assert get_permission_query_conditions(user, "Pipeline Lead") == (
		f"`tabPipeline Lead`.`name` in ({frappe.db.escape(docs.leads[0])})"
	)


def test_a_restriction_to_customers_only_adds_nothing(parties_and_deals, as_user):
	"""Frappe shows such a user every lead's deals too: no narrower form to add."""
	docs = parties_and_deals
	user = restricted_user(**{"Pipeline Customer": docs.customers[:1]})
	for doctype in TRANSACTIONS:
		assert get_permission_query_conditions(user, doctype) == ""
	as_user(user)
	assert set(docs.leads) <= set(
		frappe.get_list("Pipeline Opportunity", pluck="party_name", limit_page_length=0)
	)


def test_a_document_shared_with_the_user_stays_in_their_list(parties_and_deals, as_user):
	docs = parties_and_deals
	user = restricted_user(**{"Pipeline Lead": docs.leads[:1], "Pipeline Customer": docs.customers[:1]})
	other = frappe.get_all("Pipeline Opportunity", filters={"lead": docs.leads[1]}, pluck="name")[0]
	frappe.share.add("Pipeline Opportunity", other, user, read=1)
	as_user(user)
	assert other in frappe.get_list("Pipeline Opportunity", pluck="name", limit_page_length=0)


def test_users_without_user_permissions_get_no_condition():
	for doctype in (*TRANSACTIONS, "Pipeline Lead", "Pipeline Customer"):
		assert get_permission_query_conditions(factories.SALES_USER, doctype) == ""
		assert get_permission_query_conditions("Administrator", doctype) == ""


def test_every_list_opens_sorted_by_an_indexed_column():
	"""A page of a list is `ORDER BY <sort field> DESC LIMIT 20`: with an index on the sort field it
	reads its 20 rows, without one it sorts the whole table. (Sales stages are a handful.)"""
	doctypes = frappe.get_all(
		"DocType", filters={"module": "Sales Pipeline", "istable": 0, "issingle": 0}, pluck="name"
	)
	assert set(LIST_DOCTYPES) <= set(doctypes)
	for doctype in doctypes:
		sort_field = frappe.get_meta(doctype).sort_field or "modified"
		if doctype != "Pipeline Sales Stage":
			assert frappe.db.get_column_index(f"tab{doctype}", sort_field, unique=False), doctype
