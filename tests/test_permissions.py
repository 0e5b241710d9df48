"""Who may read, create, delete and configure what."""

import frappe
import pytest

from tests import factories

PIPELINE_DOCTYPES = (
	"Pipeline Lead",
	"Pipeline Customer",
	"Pipeline Supplier",
	"Pipeline Item",
	"Pipeline Opportunity",
	"Pipeline Quotation",
	"Pipeline Supplier Quotation",
	"Pipeline Sales Stage",
	"Pipeline Lost Reason",
)


@pytest.mark.parametrize("doctype", PIPELINE_DOCTYPES)
def test_user_without_a_sales_role_cannot_read(doctype, as_user):
	as_user(factories.OUTSIDER)
	assert not frappe.has_permission(doctype, "read")
	with pytest.raises(frappe.PermissionError):
		frappe.get_list(doctype)


def test_user_without_a_sales_role_cannot_read_an_existing_opportunity(as_user):
	opportunity = factories.make_opportunity()
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Pipeline Opportunity", opportunity.name).check_permission("read")


@pytest.mark.parametrize("make", [factories.make_lead, factories.make_customer, factories.make_opportunity])
def test_user_without_a_sales_role_cannot_create(make, as_user):
	party = factories.make_lead() if make is factories.make_opportunity else None
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		make(party) if party else make()


def test_sales_user_reads_creates_and_edits(as_user):
	as_user(factories.SALES_USER)
	lead = factories.make_lead()
	opportunity = factories.make_opportunity(lead)
	opportunity.probability = 55
	opportunity.save()
	assert frappe.get_doc("Pipeline Opportunity", opportunity.name).probability == 55


@pytest.mark.parametrize("make", [factories.make_lead, factories.make_opportunity, factories.make_customer])
def test_sales_user_cannot_delete(make, as_user):
	doc = make()
	as_user(factories.SALES_USER)
	with pytest.raises(frappe.PermissionError):
		frappe.delete_doc(doc.doctype, doc.name)
	assert frappe.db.exists(doc.doctype, doc.name)


def test_sales_manager_can_delete(as_user):
	lead = factories.make_lead()
	as_user(factories.SALES_MANAGER)
	frappe.delete_doc("Pipeline Lead", lead.name)
	assert not frappe.db.exists("Pipeline Lead", lead.name)


def test_sales_user_cancels_a_quotation_but_not_a_supplier_quotation(as_user):
	"""As in ERPNext, a Sales User may cancel (and amend) a quotation; supplier quotations stay with
	the managers."""
	as_user(factories.SALES_USER)
	quotation = factories.make_quotation(submit=True)
	frappe.get_doc("Pipeline Quotation", quotation.name).cancel()
	assert frappe.db.get_value("Pipeline Quotation", quotation.name, "docstatus") == 2
	supplier_quotation = factories.make_supplier_quotation(submit=True)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Pipeline Supplier Quotation", supplier_quotation.name).cancel()
	as_user(factories.SALES_MANAGER)
	frappe.get_doc("Pipeline Supplier Quotation", supplier_quotation.name).cancel()
	assert frappe.db.get_value("Pipeline Supplier Quotation", supplier_quotation.name, "docstatus") == 2


def test_sales_user_cannot_change_pipeline_settings(as_user):
	as_user(factories.SALES_USER)
	settings = frappe.get_doc("Pipeline Settings")
	settings.default_quotation_validity = 99
	with pytest.raises(frappe.PermissionError):
		settings.save()
	assert frappe.db.get_single_value("Pipeline Settings", "default_quotation_validity") != 99


def test_sales_manager_changes_pipeline_settings(as_user):
	as_user(factories.SALES_MANAGER)
	settings = frappe.get_doc("Pipeline Settings")
	settings.default_quotation_validity = 21
	settings.save()
	assert frappe.db.get_single_value("Pipeline Settings", "default_quotation_validity") == 21


def test_sales_user_cannot_change_sales_stages(as_user):
	stage = factories.make_sales_stage()
	as_user(factories.SALES_USER)
	stage = frappe.get_doc("Pipeline Sales Stage", stage.name)
	stage.probability = 1
	with pytest.raises(frappe.PermissionError):
		stage.save()
