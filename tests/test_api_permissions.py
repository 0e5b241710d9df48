"""Every whitelisted function refuses whoever lacks the right, and writes nothing when it does."""

import json

import frappe
import frappe.share
import pytest
import requests

from sales_pipeline.sales_pipeline.doctype.pipeline_lead import pipeline_lead
from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity import pipeline_opportunity
from tests import factories

LEAD_API = "sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead."
OPPORTUNITY_API = "sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity."

# (function, source DocType, target DocType)
MAPPERS = [
	(pipeline_lead.make_opportunity, "Pipeline Lead", "Pipeline Opportunity"),
	(pipeline_lead.make_customer, "Pipeline Lead", "Pipeline Customer"),
	(pipeline_opportunity.make_quotation, "Pipeline Opportunity", "Pipeline Quotation"),
	(pipeline_opportunity.make_supplier_quotation, "Pipeline Opportunity", "Pipeline Supplier Quotation"),
]
MAPPER_IDS = [mapper.__name__ for mapper, _source, _target in MAPPERS]


def make_source(doctype):
	return factories.make_lead() if doctype == "Pipeline Lead" else factories.make_opportunity(items=2)


def counts(*doctypes):
	return {doctype: frappe.db.count(doctype) for doctype in doctypes}


@pytest.fixture
def reader():
	"""A desk user without a sales role who may read only what is shared with them: `reader(doc)`
	shares `doc` read-only. So they can read the source of a mapper but create nothing."""
	user = factories.make_user(roles=(factories.OUTSIDER_ROLE,))

	def share_with_reader(doc):
		frappe.share.add_docshare(
			doc.doctype, doc.name, user.name, read=1, flags={"ignore_share_permission": True}
		)
		return user.name

	return share_with_reader


@pytest.mark.parametrize(("mapper", "source_doctype", "target_doctype"), MAPPERS, ids=MAPPER_IDS)
class TestMapperPermissions:
	def test_guest_is_refused(self, mapper, source_doctype, target_doctype, as_user):
		source = make_source(source_doctype)
		as_user("Guest")
		with pytest.raises(frappe.PermissionError):
			mapper(source.name)

	def test_a_user_without_a_sales_role_is_refused(self, mapper, source_doctype, target_doctype, as_user):
		source = make_source(source_doctype)
		as_user(factories.OUTSIDER)
		with pytest.raises(frappe.PermissionError):
			mapper(source.name)

	def test_a_user_who_cannot_read_the_source_is_refused(
		self, mapper, source_doctype, target_doctype, as_user
	):
		"""A sales user limited by a User Permission to another document cannot map this one."""
		source, allowed = make_source(source_doctype), make_source(source_doctype)
		user = factories.make_user(roles=("Sales User",))
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user.name,
				"allow": source_doctype,
				"for_value": allowed.name,
			}
		).insert()
		as_user(user.name)
		assert frappe.has_permission(target_doctype, "create")
		with pytest.raises(frappe.PermissionError):
			mapper(source.name)

	def test_a_user_who_cannot_create_the_target_is_refused(
		self, mapper, source_doctype, target_doctype, as_user, reader
	):
		source = make_source(source_doctype)
		as_user(reader(source))
		assert frappe.has_permission(source_doctype, "read", doc=source.name)
		with pytest.raises(frappe.PermissionError):
			mapper(source.name)

	@pytest.mark.parametrize("forged_doctype", ["User", "ToDo", "Pipeline Lead"])
	def test_a_target_doc_of_another_doctype_is_refused(
		self, mapper, source_doctype, target_doctype, forged_doctype, as_user
	):
		if forged_doctype == target_doctype:
			pytest.skip("not a forgery for this mapper")
		source = make_source(source_doctype)
		as_user(factories.SALES_USER)
		forged = json.dumps({"doctype": forged_doctype, "name": "Administrator", "first_name": "x"})
		before = counts("User", target_doctype, forged_doctype)
		with pytest.raises(frappe.ValidationError, match="target document must be"):
			mapper(source.name, forged)
		assert counts("User", target_doctype, forged_doctype) == before

	def test_a_target_doc_that_is_not_json_is_refused(self, mapper, source_doctype, target_doctype, as_user):
		source = make_source(source_doctype)
		as_user(factories.SALES_USER)
		with pytest.raises(frappe.ValidationError, match="not valid JSON"):
			mapper(source.name, "{not json")

	def test_a_sales_user_may_map(self, mapper, source_doctype, target_doctype, as_user):
		source = make_source(source_doctype)
		as_user(factories.SALES_USER)
		assert mapper(source.name).doctype == target_doctype


STATUS_METHODS = [
	("declare_enquiry_lost", lambda: {"lost_reasons_list": [{"lost_reason": "Price too high"}]}),
	("close_opportunity", dict),
]


@pytest.mark.parametrize(("method", "make_args"), STATUS_METHODS, ids=[m for m, _ in STATUS_METHODS])
def test_status_methods_refuse_a_user_who_cannot_write(method, make_args, as_user, reader):
	opportunity = factories.make_opportunity()
	as_user(reader(opportunity))
	doc = frappe.get_doc("Pipeline Opportunity", opportunity.name)
	with pytest.raises(frappe.PermissionError):
		getattr(doc, method)(**make_args())
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Open"


def test_reopen_refuses_a_user_who_cannot_write(as_user, reader):
	opportunity = factories.make_opportunity()
	opportunity.close_opportunity()
	as_user(reader(opportunity))
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Pipeline Opportunity", opportunity.name).reopen_opportunity()
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Closed"


def test_set_as_ordered_refuses_a_user_who_cannot_submit(as_user, reader):
	quotation = pipeline_opportunity.make_quotation(factories.make_opportunity().name).insert()
	quotation.submit()
	as_user(reader(quotation))
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Pipeline Quotation", quotation.name).set_as_ordered()
	assert frappe.db.get_value("Pipeline Quotation", quotation.name, "status") == "Open"


# Over HTTP, against the served test site: what only a real request exercises.


@pytest.fixture
def committed_opportunity():
	"""An opportunity the server process can see (committed). Afterwards it, its lead and its
	item are deleted without trace, and that is committed: the test site is left as it was."""
	opportunity = factories.make_opportunity(items=1)
	frappe.db.commit()  # nosemgrep
	yield opportunity
	frappe.db.rollback()
	frappe.set_user("Administrator")
	factories.delete_opportunity_without_trace(opportunity)
	frappe.db.commit()  # nosemgrep


def login(live_server, user) -> requests.Session:
	session = requests.Session()
	response = session.post(
		f"{live_server}/api/method/login", data={"usr": user, "pwd": factories.TEST_PASSWORD}, timeout=30
	)
	assert response.status_code == 200, response.text
	return session


def run_doc_method(session, live_server, http_method, opportunity, method, args):
	params = {
		"dt": "Pipeline Opportunity",
		"dn": opportunity.name,
		"method": method,
		"args": json.dumps(args),
	}
	url = f"{live_server}/api/method/run_doc_method"
	if http_method == "GET":
		return session.get(url, params=params, timeout=30)
	return session.post(url, data=params, timeout=30)


def stored_status(opportunity):
	frappe.db.rollback()  # see what the server committed
	return frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status")


@pytest.mark.parametrize("method", ["declare_enquiry_lost", "close_opportunity"])
def test_a_get_on_a_post_only_method_is_refused(method, live_server, committed_opportunity):
	session = login(live_server, factories.SALES_USER)
	args = (
		{"lost_reasons_list": [{"lost_reason": "Price too high"}]} if method == "declare_enquiry_lost" else {}
	)
	response = run_doc_method(session, live_server, "GET", committed_opportunity, method, args)
	assert response.status_code == 403
	assert stored_status(committed_opportunity) == "Open"


def test_the_same_post_is_accepted(live_server, committed_opportunity):
	session = login(live_server, factories.SALES_USER)
	response = run_doc_method(session, live_server, "POST", committed_opportunity, "close_opportunity", {})
	assert response.status_code == 200, response.text
	assert stored_status(committed_opportunity) == "Closed"


@pytest.mark.parametrize("function", ["make_quotation", "make_supplier_quotation"])
def test_guest_is_refused_over_http(function, live_server, committed_opportunity):
	response = requests.post(
		f"{live_server}/api/method/{OPPORTUNITY_API}{function}",
		data={"source_name": committed_opportunity.name},
		timeout=30,
	)
	assert response.status_code == 403


def test_guest_cannot_run_a_status_method(live_server, committed_opportunity):
	response = run_doc_method(
		requests.Session(), live_server, "POST", committed_opportunity, "close_opportunity", {}
	)
	assert response.status_code == 403
	assert stored_status(committed_opportunity) == "Open"


def test_a_user_without_a_sales_role_is_refused_over_http(live_server, committed_opportunity):
	session = login(live_server, factories.OUTSIDER)
	response = session.post(
		f"{live_server}/api/method/{OPPORTUNITY_API}make_quotation",
		data={"source_name": committed_opportunity.name},
		timeout=30,
	)
	assert response.status_code == 403
	response = run_doc_method(session, live_server, "POST", committed_opportunity, "close_opportunity", {})
	assert response.status_code == 403
	assert stored_status(committed_opportunity) == "Open"


def test_a_forged_target_doc_is_refused_over_http(live_server, committed_opportunity):
	session = login(live_server, factories.SALES_USER)
	response = session.post(
		f"{live_server}/api/method/{OPPORTUNITY_API}make_quotation",
		data={
			"source_name": committed_opportunity.name,
			"target_doc": json.dumps({"doctype": "User", "name": "Administrator"}),
		},
		timeout=30,
	)
	assert response.status_code == 417
	assert "target document must be" in response.text


def test_a_sales_user_maps_over_http(live_server, committed_opportunity):
	session = login(live_server, factories.SALES_USER)
	response = session.post(
		f"{live_server}/api/method/{LEAD_API}make_opportunity",
		data={"source_name": committed_opportunity.party_name},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	assert response.json()["message"]["doctype"] == "Pipeline Opportunity"
