"""The quotation a customer reads: the "Pipeline Quotation" print format and its Terms."""

import json

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from tests import factories
from tests.test_follow_up import no_outgoing_email_account, outgoing_email_account  # noqa: F401 (fixtures)

TERMS = "<p>Payment within <b>30 days</b>.</p>"


@pytest.fixture(autouse=True)
def frozen_time():
	with freeze_time("2026-11-30 14:00:00.250000", tz_offset=0):
		yield


@pytest.fixture
def default_terms():
	frappe.db.set_single_value("Pipeline Settings", "default_quotation_terms", TERMS)
	return TERMS


def quoted_lead(items=2):
	lead = factories.make_lead()
	opportunity = factories.make_opportunity(lead, items=items)
	return lead, make_quotation(opportunity.name)


def test_a_quotation_from_an_opportunity_starts_with_the_default_terms(default_terms):
	_lead, quotation = quoted_lead()
	assert quotation.terms == default_terms


def test_a_quotation_made_by_hand_gets_the_default_terms_on_save(default_terms):
	assert factories.make_quotation().terms == default_terms


def test_terms_written_on_the_quotation_are_kept(default_terms):
	assert factories.make_quotation(terms="<p>Special terms</p>").terms == "<p>Special terms</p>"


def test_the_print_format_is_the_quotation_default():
	assert frappe.get_meta("Pipeline Quotation").default_print_format == "Pipeline Quotation"
	print_format = frappe.get_doc("Print Format", "Pipeline Quotation")
	assert (print_format.standard, print_format.print_format_type, print_format.doc_type) == (
		"Yes",
		"Jinja",
		"Pipeline Quotation",
	)


def test_the_print_shows_what_the_customer_reads_and_no_field_names(default_terms, as_user):
	"""Party, contact, dates, every item with its description, quantity, rate and amount, the total
	in words and the terms; none of the internal field names."""
	lead, quotation = quoted_lead(items=3)
	quotation.insert()
	quotation.submit()
	as_user(factories.SALES_USER)
	html = frappe.get_print("Pipeline Quotation", quotation.name, print_format="Pipeline Quotation")
	assert lead.company_name in html
	assert lead.lead_name in html
	assert quotation.get_formatted("transaction_date") in html
	assert quotation.get_formatted("valid_till") in html
	for item in quotation.items:
		assert item.item_name in html
		assert item.description in html
		assert item.get_formatted("amount", quotation) in html
	assert quotation.get_formatted("total") in html
	assert frappe.utils.money_in_words(quotation.total, quotation.currency) in html
	assert "<b>30 days</b>" in html
	for internal in ("party_name", "quotation_to", "opportunity_item", "Pipeline Lead", "docstatus"):
		assert internal not in html


def test_a_user_who_cannot_read_the_quotation_cannot_print_it(as_user):
	"""Frappe answers as if the quotation did not exist (or refuses it): nothing of it is printed."""
	quotation = factories.make_quotation(submit=True)
	as_user(factories.OUTSIDER)
	with pytest.raises((frappe.PermissionError, frappe.DoesNotExistError)):
		frappe.get_print("Pipeline Quotation", quotation.name, print_format="Pipeline Quotation")


@pytest.mark.usefixtures("outgoing_email_account")
def test_emailing_the_quotation_from_the_form_attaches_its_print(as_user):
	"""The form's Email (Frappe's composer) sends the quotation with its print as the attachment."""
	from frappe.core.doctype.communication.email import make

	_lead, quotation = quoted_lead()
	quotation.insert()
	quotation.submit()
	as_user(factories.SALES_USER)
	sent = make(
		doctype=quotation.doctype,
		name=quotation.name,
		content="Please find our quotation attached.",
		subject=quotation.name,
		recipients="buyer@example.com",
		send_email=True,
		print_format="Pipeline Quotation",
	)
	[queued] = frappe.get_all("Email Queue", filters={"communication": sent["name"]}, fields=["attachments"])
	[attachment] = json.loads(queued.attachments)
	assert attachment["print_format"] == "Pipeline Quotation"
	assert (attachment["doctype"], attachment["name"]) == (quotation.doctype, quotation.name)
