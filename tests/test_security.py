"""Trust nothing the client sends: each attack a security review found, through the path it took.

Forged document copies go through `run_doc_method` with `docs` (what the desk's `frm.call`
sends), submitted inserts through `frappe.client.insert` and `savedocs`, the same code the REST
API and the desk run.
"""

import json

import frappe
import pytest
from frappe.desk.form.save import savedocs
from frappe.handler import run_doc_method
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	make_quotation,
	make_supplier_quotation,
)
from sales_pipeline.sales_pipeline.follow_up import get_follow_up_calendar_events
from tests import factories

XSS = '<img src=x onerror="alert(document.cookie)">'


@pytest.fixture
def post_request():
	"""A POST request in progress, as `run_doc_method` and `get_url` see one, from a forged Host."""
	frappe.local.request = Request(
		EnvironBuilder(method="POST", headers={"Host": "evil.example"}).get_environ()
	)
	yield frappe.local.request
	del frappe.local.request


def forged_call(doc, method: str, **changes):
	"""Call a whitelisted method of `doc` the way the desk does, with a copy of the stored document
	altered by `changes`."""
	copy = frappe.get_doc(doc.doctype, doc.name).as_dict()
	copy.update(changes)
	run_doc_method(method, docs=json.dumps(copy, default=str), args=json.dumps({}))


def stored(doc, fieldname):
	return frappe.db.get_value(doc.doctype, doc.name, fieldname)


def submitted_quotation(opportunity):
	quotation = make_quotation(opportunity.name).insert()
	quotation.submit()
	return quotation


def restricted_user(allow: str, for_value: str) -> str:
	"""A new Sales User whom a User Permission restricts to one `allow` record."""
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": allow, "for_value": for_value}
	).insert()
	return user


class TestStoredScript:
	"""Frappe skips its sanitiser for documents saved as submitted; the app does not."""

	@pytest.mark.parametrize("fieldname", ["item_name", "uom", "description"])
	def test_a_quotation_inserted_as_submitted_is_sanitised(self, as_user, fieldname):
		as_user(factories.SALES_USER)
		customer = factories.make_customer()
		rows = factories.item_rows(1, **{fieldname: f"Widget {XSS}"})
		quotation = frappe.get_doc(
			{
				"doctype": "Pipeline Quotation",
				"quotation_to": "Pipeline Customer",
				"party_name": customer.name,
				"transaction_date": frappe.utils.nowdate(),
				"items": rows,
				"docstatus": 1,
			}
		).insert()
		value = frappe.db.get_value("Pipeline Quotation Item", quotation.items[0].name, fieldname)
		assert "onerror" not in value and "Widget" in value

	def test_a_supplier_quotation_submitted_through_savedocs_is_sanitised(self, as_user):
		as_user(factories.SALES_USER)
		supplier = factories.make_supplier()
		doc = {
			"doctype": "Pipeline Supplier Quotation",
			"supplier": supplier.name,
			"transaction_date": frappe.utils.nowdate(),
			"items": factories.item_rows(1, item_name=f"Bolt {XSS}"),
			"docstatus": 0,
			"__islocal": 1,
			"name": "new-pipeline-supplier-quotation-1",
		}
		savedocs(json.dumps(doc), "Submit")
		name = frappe.response.docs[-1].name
		assert frappe.db.get_value("Pipeline Supplier Quotation", name, "docstatus") == 1
		item_name = frappe.db.get_value("Pipeline Supplier Quotation Item", {"parent": name}, "item_name")
		assert "onerror" not in item_name and "Bolt" in item_name


class TestForgedDocumentCopies:
	"""Whitelisted methods decide from the stored document, not the copy the request carries."""

	def test_a_converted_opportunity_sent_as_open_cannot_be_closed(self, post_request):
		lead = factories.make_lead()
		opportunity = factories.make_opportunity(lead)
		submitted_quotation(opportunity).set_as_ordered()
		assert stored(opportunity, "status") == "Converted"
		with pytest.raises(frappe.ValidationError, match="cannot be closed"):
			forged_call(opportunity, "close_opportunity", status="Open")
		assert stored(opportunity, "status") == "Converted"
		assert stored(lead, "status") == "Converted"

	def test_a_draft_quotation_sent_as_submitted_cannot_be_ordered(self, post_request):
		opportunity = factories.make_opportunity(factories.make_customer())
		quotation = make_quotation(opportunity.name).insert()
		with pytest.raises(frappe.ValidationError, match="marked as ordered"):
			forged_call(quotation, "set_as_ordered", docstatus=1, status="Open")
		assert stored(quotation, "status") == "Draft"
		assert stored(opportunity, "status") == "Open"

	def test_a_forged_copy_of_an_unreadable_opportunity_is_refused(self, post_request, as_user):
		"""The copy names a customer the user may read; the stored opportunity belongs to another."""
		allowed, other = factories.make_customer(), factories.make_customer()
		opportunity = factories.make_opportunity(other)
		as_user(restricted_user("Pipeline Customer", allowed.name))
		with pytest.raises(frappe.PermissionError):
			forged_call(opportunity, "close_opportunity", party_name=allowed.name, customer=allowed.name)
		as_user("Administrator")
		assert stored(opportunity, "status") == "Open"


class TestStatusesSetByTheServer:
	def test_a_quotation_inserted_submitted_and_ordered_is_only_open(self):
		lead = factories.make_lead()
		opportunity = factories.make_opportunity(lead)
		quotation = make_quotation(opportunity.name)
		quotation.update({"docstatus": 1, "status": "Ordered"})
		quotation.insert()
		assert stored(quotation, "status") == "Open"
		assert stored(opportunity, "status") == "Quotation"
		assert stored(lead, "status") == "Quotation"

	def test_lost_reasons_sent_on_an_open_opportunity_are_not_kept(self):
		opportunity = factories.make_opportunity()
		opportunity.set("lost_reasons", [{"lost_reason": factories.make_lost_reason().name}])
		opportunity.order_lost_reason = "forged"
		opportunity.save()
		assert not frappe.get_all("Pipeline Lost Reason Detail", filters={"parent": opportunity.name})
		assert stored(opportunity, "order_lost_reason") is None
		assert stored(opportunity, "status") == "Open"

	def test_lost_reasons_of_a_lost_opportunity_cannot_be_rewritten(self):
		opportunity = factories.make_opportunity()
		reason = factories.make_lost_reason().name
		opportunity.declare_enquiry_lost([{"lost_reason": reason}], "too dear")
		opportunity.reload()
		opportunity.set("lost_reasons", [{"lost_reason": factories.make_lost_reason().name}])
		opportunity.order_lost_reason = "rewritten"
		opportunity.save()
		assert frappe.get_all(
			"Pipeline Lost Reason Detail", filters={"parent": opportunity.name}, pluck="lost_reason"
		) == [reason]
		assert stored(opportunity, "order_lost_reason") == "too dear"

	def test_a_lead_customer_sent_by_the_client_is_not_kept(self):
		lead = factories.make_lead()
		lead.customer = factories.make_customer().name
		lead.save()
		assert stored(lead, "customer") is None
		assert stored(lead, "status") != "Converted"

	def test_a_new_lead_cannot_arrive_converted(self):
		lead = factories.make_lead(customer=factories.make_customer().name)
		assert stored(lead, "customer") is None
		assert stored(lead, "status") == "Lead"

	def test_a_customer_made_from_the_lead_still_converts_it(self):
		lead = factories.make_lead()
		customer = factories.make_customer(lead_name=lead.name)
		assert stored(lead, "customer") == customer.name
		assert stored(lead, "status") == "Converted"

	def test_a_quotation_cannot_point_at_another_partys_opportunity(self):
		customer_a, customer_b = factories.make_customer(), factories.make_customer()
		opportunity_b = factories.make_opportunity(customer_b)
		quotation = frappe.get_doc(
			{
				"doctype": "Pipeline Quotation",
				"quotation_to": "Pipeline Customer",
				"party_name": customer_a.name,
				"opportunity": opportunity_b.name,
				"transaction_date": frappe.utils.nowdate(),
				"items": factories.item_rows(1),
			}
		)
		with pytest.raises(frappe.ValidationError, match="not to the party of this quotation"):
			quotation.insert()
		assert stored(opportunity_b, "status") == "Open"

	def test_a_customer_made_from_the_lead_may_be_quoted_for_the_leads_opportunity(self):
		lead = factories.make_lead()
		opportunity = factories.make_opportunity(lead)
		customer = factories.make_customer(lead_name=lead.name)
		quotation = make_quotation(opportunity.name)
		quotation.update({"quotation_to": "Pipeline Customer", "party_name": customer.name})
		quotation.insert()
		quotation.submit()
		assert stored(opportunity, "status") == "Quotation"


class TestUserPermissionsReachOpportunities:
	"""A User Permission on a customer (or lead) restricts that party's opportunities, quotations
	and supplier quotations everywhere: lists, documents, mappers, cards and the calendar."""

	@pytest.fixture
	def two_customers(self):
		allowed, other = factories.make_customer(), factories.make_customer()
		docs = frappe._dict()
		for key, customer in (("allowed", allowed), ("other", other)):
			opportunity = factories.make_opportunity(
				customer,
				contact_by=factories.SALES_USER,
				contact_date=frappe.utils.add_days(frappe.utils.now_datetime(), 1),
			)
			quotation = make_quotation(opportunity.name).insert()
			supplier_quotation = make_supplier_quotation(opportunity.name)
			supplier_quotation.supplier = factories.make_supplier().name
			supplier_quotation.insert()
			docs[key] = frappe._dict(
				customer=customer,
				opportunity=opportunity,
				quotation=quotation,
				supplier_quotation=supplier_quotation,
			)
		return docs

	def test_lists_show_only_the_allowed_customers_documents(self, two_customers, as_user):
		docs = two_customers
		as_user(restricted_user("Pipeline Customer", docs.allowed.customer.name))
		for doctype, key in (
			("Pipeline Opportunity", "opportunity"),
			("Pipeline Quotation", "quotation"),
			("Pipeline Supplier Quotation", "supplier_quotation"),
		):
			names = set(frappe.get_list(doctype, pluck="name", limit_page_length=0))
			assert docs.allowed[key].name in names
			assert docs.other[key].name not in names

	def test_another_customers_opportunity_cannot_be_opened_or_quoted(self, two_customers, as_user):
		docs = two_customers
		as_user(restricted_user("Pipeline Customer", docs.allowed.customer.name))
		assert not frappe.has_permission("Pipeline Opportunity", "read", doc=docs.other.opportunity.name)
		assert frappe.has_permission("Pipeline Opportunity", "read", doc=docs.allowed.opportunity.name)
		with pytest.raises(frappe.PermissionError):
			make_quotation(docs.other.opportunity.name)
		with pytest.raises(frappe.PermissionError):
			make_supplier_quotation(docs.other.opportunity.name)

	def test_the_calendar_and_number_cards_count_only_what_the_user_may_read(self, two_customers, as_user):
		from frappe.desk.doctype.number_card.number_card import get_result

		docs = two_customers
		user = restricted_user("Pipeline Customer", docs.allowed.customer.name)
		as_user(factories.SALES_USER)
		card = frappe.get_doc("Number Card", "Open Opportunities")
		unrestricted = get_result(card, filters=card.filters_json)
		as_user(user)
		assert get_result(card, filters=card.filters_json) < unrestricted
		start = frappe.utils.nowdate()
		end = frappe.utils.add_days(start, 3)
		names = {row.name for row in get_follow_up_calendar_events("Pipeline Opportunity", start, end)}
		assert docs.allowed.opportunity.name in names
		assert docs.other.opportunity.name not in names

	def test_a_forged_party_link_does_not_open_another_customers_opportunity(self, two_customers, as_user):
		docs = two_customers
		as_user(restricted_user("Pipeline Customer", docs.allowed.customer.name))
		forged = frappe.get_doc(docs.other.opportunity.as_dict())
		forged.customer = docs.allowed.customer.name
		forged.to_discuss = "taken over"
		with pytest.raises(frappe.PermissionError):
			forged.save()
		as_user("Administrator")
		assert stored(docs.other.opportunity, "to_discuss") != "taken over"

	def test_a_restriction_to_one_lead_hides_the_other_leads_opportunities(self, as_user):
		allowed, other = factories.make_lead(), factories.make_lead()
		allowed_opportunity, other_opportunity = (
			factories.make_opportunity(allowed),
			factories.make_opportunity(other),
		)
		as_user(restricted_user("Pipeline Lead", allowed.name))
		names = set(frappe.get_list("Pipeline Opportunity", pluck="name", limit_page_length=0))
		assert allowed_opportunity.name in names and other_opportunity.name not in names
		with pytest.raises(frappe.PermissionError):
			make_quotation(other_opportunity.name)


class TestPartiesTheUserCannotRead:
	def test_an_opportunity_on_an_unreadable_lead_is_refused(self, as_user):
		allowed, hidden = factories.make_lead(), factories.make_lead()
		as_user(restricted_user("Pipeline Lead", allowed.name))
		opportunity = frappe.get_doc(
			{
				"doctype": "Pipeline Opportunity",
				"opportunity_from": "Pipeline Lead",
				"party_name": hidden.name,
				"transaction_date": frappe.utils.nowdate(),
				"opportunity_amount": 1000,
			}
		)
		with pytest.raises(frappe.PermissionError):
			opportunity.insert()
		as_user("Administrator")
		assert stored(hidden, "status") == "Lead"
		assert not frappe.db.exists("Pipeline Opportunity", {"party_name": hidden.name})

	def test_a_customer_from_an_unreadable_lead_is_refused(self, as_user):
		allowed, hidden = factories.make_lead(), factories.make_lead()
		as_user(restricted_user("Pipeline Lead", allowed.name))
		with pytest.raises(frappe.PermissionError):
			factories.make_customer(lead_name=hidden.name)
		as_user("Administrator")
		assert stored(hidden, "customer") is None

	def test_a_quotation_on_an_unreadable_opportunity_is_refused(self, as_user):
		customer = factories.make_customer()
		other_customer = factories.make_customer()
		hidden_opportunity = factories.make_opportunity(customer)
		as_user(restricted_user("Pipeline Customer", other_customer.name))
		supplier_quotation = frappe.get_doc(
			{
				"doctype": "Pipeline Supplier Quotation",
				"supplier": factories.make_supplier().name,
				"opportunity": hidden_opportunity.name,
				"transaction_date": frappe.utils.nowdate(),
				"items": factories.item_rows(1),
			}
		)
		with pytest.raises(frappe.PermissionError):
			supplier_quotation.insert()
