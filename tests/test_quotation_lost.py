"""A rep records that the customer turned a quotation down, and may cancel and amend quotations."""

import json

import frappe
import pytest
import requests
from frappe.exceptions import FrappeTypeError
from frappe.handler import run_doc_method
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from tests import factories
from tests.test_api_permissions import login
from tests.test_security import post_request  # noqa: F401 (fixture)

# 14:00:00.25 UTC is 09:00:00.25 in New York on Monday 30 November 2026.
NOW_UTC = "2026-11-30 14:00:00.250000"


@pytest.fixture(autouse=True)
def frozen_time():
	with freeze_time(NOW_UTC, tz_offset=0) as frozen:
		yield frozen


def submitted_quotation(opportunity):
	quotation = make_quotation(opportunity.name).insert()
	quotation.submit()
	return quotation


def lost_reasons(count=1):
	return [{"lost_reason": factories.make_lost_reason().name} for _ in range(count)]


def stored(doctype, name, fieldname):
	return frappe.db.get_value(doctype, name, fieldname)


@pytest.fixture
def lead_opportunity():
	lead = factories.make_lead()
	return lead, factories.make_opportunity(lead)


def test_the_quotation_becomes_lost_with_its_reasons_and_detail(lead_opportunity, as_user):
	"""A Sales User sets their submitted quotation as lost: status, reasons and detail are stored."""
	_lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	reasons = lost_reasons(2)
	as_user(factories.SALES_USER)
	frappe.get_doc("Pipeline Quotation", quotation.name).declare_enquiry_lost(
		reasons, detailed_reason="Went with a <b>cheaper</b> offer<script>alert(1)</script>"
	)
	lost = frappe.get_doc("Pipeline Quotation", quotation.name)
	assert lost.status == "Lost"
	assert [row.lost_reason for row in lost.lost_reasons] == [row["lost_reason"] for row in reasons]
	assert "<script>" not in lost.order_lost_reason
	assert "cheaper" in lost.order_lost_reason


def test_the_last_active_quotation_lost_makes_the_opportunity_lost_with_the_same_reasons(lead_opportunity):
	"""With no other active quotation, the opportunity is Lost with the quotation's reasons and its
	lead Lost Quotation."""
	lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	reasons = lost_reasons(2)
	quotation.declare_enquiry_lost(reasons, detailed_reason="Budget cut")
	stored_opportunity = frappe.get_doc("Pipeline Opportunity", opportunity.name)
	assert stored_opportunity.status == "Lost"
	assert [row.lost_reason for row in stored_opportunity.lost_reasons] == [
		row["lost_reason"] for row in reasons
	]
	assert stored_opportunity.order_lost_reason == "Budget cut"
	assert stored("Pipeline Lead", lead.name, "status") == "Lost Quotation"


def test_another_open_quotation_keeps_the_opportunity_quoted(lead_opportunity):
	"""Losing one of two open quotations leaves the opportunity at Quotation."""
	_lead, opportunity = lead_opportunity
	first = submitted_quotation(opportunity)
	submitted_quotation(opportunity)
	first.declare_enquiry_lost(lost_reasons())
	assert stored("Pipeline Quotation", first.name, "status") == "Lost"
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Quotation"
	assert not frappe.get_all("Pipeline Lost Reason Detail", filters={"parent": opportunity.name})


def test_the_second_of_two_lost_makes_the_opportunity_lost(lead_opportunity):
	"""Once every quotation is lost, the opportunity is lost with the last one's reasons."""
	_lead, opportunity = lead_opportunity
	first, second = submitted_quotation(opportunity), submitted_quotation(opportunity)
	first.declare_enquiry_lost(lost_reasons())
	reasons = lost_reasons()
	frappe.get_doc("Pipeline Quotation", second.name).declare_enquiry_lost(reasons)
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Lost"
	assert frappe.get_all(
		"Pipeline Lost Reason Detail", filters={"parent": opportunity.name}, pluck="lost_reason"
	) == [reasons[0]["lost_reason"]]


def test_an_ordered_quotation_keeps_the_opportunity_converted(lead_opportunity):
	"""A second quotation lost after the first was ordered leaves the deal Converted."""
	_lead, opportunity = lead_opportunity
	ordered, other = submitted_quotation(opportunity), submitted_quotation(opportunity)
	ordered.set_as_ordered()
	frappe.get_doc("Pipeline Quotation", other.name).declare_enquiry_lost(lost_reasons())
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Converted"


def test_a_quotation_without_opportunity_can_be_lost():
	"""A quotation made by hand, with no opportunity, is simply Lost."""
	quotation = factories.make_quotation(submit=True)
	quotation.declare_enquiry_lost(lost_reasons())
	assert stored("Pipeline Quotation", quotation.name, "status") == "Lost"


@pytest.mark.parametrize("state", ["draft", "ordered", "lost", "cancelled"])
def test_only_a_submitted_open_quotation_can_be_lost(lead_opportunity, state):
	"""Draft, Ordered, Lost and Cancelled quotations are refused, and nothing changes."""
	_lead, opportunity = lead_opportunity
	quotation = make_quotation(opportunity.name).insert()
	if state != "draft":
		quotation.submit()
	if state == "ordered":
		quotation.set_as_ordered()
	elif state == "lost":
		quotation.declare_enquiry_lost(lost_reasons())
	elif state == "cancelled":
		quotation.cancel()
	before = stored("Pipeline Quotation", quotation.name, "status")
	with pytest.raises(frappe.ValidationError, match="submitted, open quotation"):
		frappe.get_doc("Pipeline Quotation", quotation.name).declare_enquiry_lost(lost_reasons())
	assert stored("Pipeline Quotation", quotation.name, "status") == before


@pytest.mark.parametrize("bad", [[], [{"lost_reason": "No Such Reason"}], ["Price too high"], None, "x"])
def test_refused_without_valid_reasons(lead_opportunity, bad):
	"""Lost reasons that are missing or not Pipeline Lost Reasons get an error naming the argument."""
	_lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	with pytest.raises(frappe.ValidationError, match="Lost Reason"):
		quotation.declare_enquiry_lost(bad)
	assert stored("Pipeline Quotation", quotation.name, "status") == "Open"
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Quotation"


def test_a_detailed_reason_that_is_not_text_is_refused(lead_opportunity):
	"""Frappe checks the typed arguments of a whitelisted method and names the wrong one."""
	_lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	with pytest.raises(FrappeTypeError, match="detailed_reason"):
		quotation.declare_enquiry_lost(lost_reasons(), detailed_reason=["not", "text"])
	assert stored("Pipeline Quotation", quotation.name, "status") == "Open"


def test_a_user_who_cannot_submit_quotations_is_refused(lead_opportunity, as_user):
	"""A desk user with the quotation shared read-only cannot set it as lost."""
	_lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	reasons = lost_reasons()
	reader = factories.make_user(roles=(factories.OUTSIDER_ROLE,))
	frappe.share.add_docshare(
		quotation.doctype, quotation.name, reader.name, read=1, flags={"ignore_share_permission": True}
	)
	as_user(reader.name)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Pipeline Quotation", quotation.name).declare_enquiry_lost(reasons)
	as_user("Administrator")
	assert stored("Pipeline Quotation", quotation.name, "status") == "Open"
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Quotation"


@pytest.mark.usefixtures("post_request")
def test_the_method_decides_from_the_stored_quotation(lead_opportunity):
	"""A request carrying a copy that says Open does not make an ordered quotation lost."""
	_lead, opportunity = lead_opportunity
	quotation = submitted_quotation(opportunity)
	quotation.set_as_ordered()
	copy = frappe.get_doc("Pipeline Quotation", quotation.name).as_dict()
	copy.update(status="Open")
	with pytest.raises(frappe.ValidationError, match="submitted, open quotation"):
		run_doc_method(
			"declare_enquiry_lost",
			docs=json.dumps(copy, default=str),
			args=json.dumps({"lost_reasons_list": lost_reasons()}),
		)
	assert stored("Pipeline Quotation", quotation.name, "status") == "Ordered"
	assert stored("Pipeline Opportunity", opportunity.name, "status") == "Converted"


def test_lost_reasons_sent_with_a_new_quotation_are_dropped(lead_opportunity):
	"""The status, reasons and detail of Lost are set by the server only, never by an insert."""
	_lead, opportunity = lead_opportunity
	quotation = make_quotation(opportunity.name)
	quotation.update({"status": "Lost", "order_lost_reason": "forged", "lost_reasons": lost_reasons()})
	quotation.insert()
	quotation.submit()
	assert stored("Pipeline Quotation", quotation.name, "status") == "Open"
	assert not stored("Pipeline Quotation", quotation.name, "order_lost_reason")
	assert not frappe.get_all("Pipeline Lost Reason Detail", filters={"parent": quotation.name})


def test_a_sales_user_cancels_and_amends_a_quotation(lead_opportunity, as_user):
	"""As in ERPNext, a Sales User may cancel a quotation and amend it; the amendment is a fresh
	draft that carries none of the lost details."""
	_lead, opportunity = lead_opportunity
	as_user(factories.SALES_USER)
	quotation = submitted_quotation(opportunity)
	reasons = lost_reasons()
	quotation.declare_enquiry_lost(reasons, detailed_reason="Too late")
	quotation = frappe.get_doc("Pipeline Quotation", quotation.name)
	quotation.cancel()
	amended = frappe.copy_doc(quotation)
	amended.update({"docstatus": 0, "amended_from": quotation.name})
	amended.insert()
	assert (amended.status, amended.lost_reasons, amended.order_lost_reason) == ("Draft", [], None)
	assert amended.name.startswith(quotation.name)


@pytest.fixture
def committed_quotation():
	"""A submitted quotation the server process can see (committed), removed afterwards."""
	opportunity = factories.make_opportunity(items=1)
	quotation = submitted_quotation(opportunity)
	reason = factories.make_lost_reason()
	frappe.db.commit()  # nosemgrep
	yield quotation, reason
	frappe.db.rollback()
	# A submitted document is never deleted; cancelled is.
	frappe.db.set_value("Pipeline Quotation", quotation.name, "docstatus", 2)
	frappe.delete_doc("Pipeline Quotation", quotation.name, force=True)
	frappe.delete_doc("Pipeline Opportunity", opportunity.name, force=True)
	frappe.delete_doc("Pipeline Lead", opportunity.party_name, force=True)
	frappe.delete_doc("Pipeline Lost Reason", reason.name, force=True)
	frappe.db.commit()  # nosemgrep


def call_over_http(session: requests.Session, live_server: str, http_method: str, quotation, reason):
	params = {
		"dt": "Pipeline Quotation",
		"dn": quotation.name,
		"method": "declare_enquiry_lost",
		"args": json.dumps({"lost_reasons_list": [{"lost_reason": reason.name}]}),
	}
	url = f"{live_server}/api/method/run_doc_method"
	if http_method == "GET":
		return session.get(url, params=params, timeout=30)
	return session.post(url, data=params, timeout=30)


def test_a_get_is_refused_and_the_same_post_accepted(live_server, committed_quotation):
	"""declare_enquiry_lost changes state: POST only."""
	quotation, reason = committed_quotation
	session = login(live_server, factories.SALES_USER)
	assert call_over_http(session, live_server, "GET", quotation, reason).status_code == 403
	frappe.db.rollback()
	assert stored("Pipeline Quotation", quotation.name, "status") == "Open"
	response = call_over_http(session, live_server, "POST", quotation, reason)
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	assert stored("Pipeline Quotation", quotation.name, "status") == "Lost"
