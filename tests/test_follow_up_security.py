"""Follow-ups that trust nothing the client sends and lose nothing when something fails: reminders
only to users who can still read the document, Event links that do not come from the request's
Host header, a failing mail server that keeps the bell notification, deleting a document that
leaves a colleague's own Event alone, and bad calendar arguments refused by name."""

import json

import frappe
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sales_pipeline.sales_pipeline.follow_up import (
	get_follow_up_calendar_events,
	reminders,
	run_follow_up_reminders,
)
from tests import factories
from tests.assertions import assert_refused
from tests.test_follow_up import (  # noqa: F401 (fixtures)
	TODAY_AT_3PM,
	frozen_time,
	no_outgoing_email_account,
	notifications,
	only_event,
	outgoing_email_account,
	with_follow_up,
)


class TestReminderAccess:
	def test_a_user_who_lost_read_access_gets_no_reminder(self):
		customer, other = factories.make_customer(), factories.make_customer()
		user = factories.make_user(roles=("Sales User",)).name
		doc = with_follow_up(factories.make_opportunity(customer), user=user, to_discuss="the secret price")
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": "Pipeline Customer",
				"for_value": other.name,
			}
		).insert()
		result = run_follow_up_reminders()
		assert result.notified == 0 and result.failed == 0
		assert not notifications(doc)
		assert not frappe.db.exists("Event", {"subject": ("like", f"%{doc.title}%"), "status": "Open"})
		# Handled once: the next run does not look at it again.
		assert run_follow_up_reminders().notified == 0
		assert not frappe.db.get_all("Error Log", filters={"reference_name": doc.name})


class TestEventLink:
	@pytest.fixture
	def request_from_another_host(self):
		frappe.local.request = Request(
			EnvironBuilder(method="POST", headers={"Host": "evil.example"}).get_environ()
		)
		yield
		del frappe.local.request

	def test_the_event_links_to_the_document_without_the_requests_host(self, request_from_another_host):
		doc = with_follow_up()
		description = frappe.db.get_value("Event", only_event(doc).name, "description")
		assert "evil.example" not in description
		assert f'href="/app/pipeline-opportunity/{doc.name}"' in description


class TestFaultsThatCostData:
	@pytest.mark.usefixtures("outgoing_email_account")
	def test_a_failing_mail_server_keeps_the_bell_notification(self, monkeypatch):
		frappe.db.set_single_value("Pipeline Settings", "send_follow_up_email", 1)
		doc = with_follow_up(when=TODAY_AT_3PM)

		def failing_sendmail(*args, **kwargs):
			raise ConnectionRefusedError("the mail server is down")

		monkeypatch.setattr(reminders.frappe, "sendmail", failing_sendmail)
		result = run_follow_up_reminders()
		assert (result.notified, result.failed) == (1, 0)
		assert len(notifications(doc)) == 1
		assert frappe.db.exists("Error Log", {"reference_doctype": doc.doctype, "reference_name": doc.name})
		# Recorded as notified: the next run (a quarter of an hour later) does not remind again.
		assert run_follow_up_reminders().notified == 0
		assert len(notifications(doc)) == 1

	def test_deleting_a_document_leaves_a_colleagues_own_event(self):
		doc = with_follow_up()
		app_event = only_event(doc).name
		frappe.set_user(factories.SALES_USER)
		own_event = frappe.get_doc(
			{
				"doctype": "Event",
				"subject": "My own notes on this deal",
				"event_type": "Private",
				"starts_on": TODAY_AT_3PM,
				"event_participants": [{"reference_doctype": doc.doctype, "reference_docname": doc.name}],
			}
		).insert()
		frappe.set_user("Administrator")
		frappe.delete_doc(doc.doctype, doc.name)
		assert frappe.db.exists("Event", own_event.name)
		assert not frappe.db.exists("Event", app_event)
		assert not frappe.db.exists(
			"Event Participants", {"reference_doctype": doc.doctype, "reference_docname": doc.name}
		)

	def test_deleting_a_document_deletes_its_completed_follow_up_events(self):
		doc = with_follow_up()
		done = only_event(doc).name
		frappe.db.set_value("Event", done, "status", "Completed")
		doc.contact_date = "2026-11-30 17:00:00"
		doc.save()
		frappe.delete_doc(doc.doctype, doc.name)
		assert not frappe.db.exists("Event", done)


class TestBounds:
	def test_a_follow_up_in_year_9999_is_refused(self):
		doc = factories.make_opportunity()
		doc.update({"contact_by": factories.SALES_USER_2, "contact_date": "9999-12-31 23:59:00"})
		assert_refused(doc, "must be before")


class TestCalendarArguments:
	@pytest.mark.parametrize(
		"filters",
		[
			'[["Event", "subject", "=", "x"]]',
			'[["Pipeline Opportunity", "no_such_field", "=", "x"]]',
			'{"no_such_field": "x"}',
			'"just a string"',
			'[["Pipeline Opportunity", "status"]]',
			"[1, 2, 3]",
		],
	)
	def test_a_bad_filter_is_refused_by_name(self, filters, as_user):
		as_user(factories.SALES_USER)
		with pytest.raises(frappe.ValidationError, match="filters"):
			get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-01", "2026-12-31", filters=filters)

	def test_a_filter_on_a_field_of_the_doctype_is_applied(self, as_user):
		mine = with_follow_up(user=factories.SALES_USER)
		theirs = with_follow_up(user=factories.SALES_USER_2)
		as_user(factories.SALES_USER)
		names = {
			row.name
			for row in get_follow_up_calendar_events(
				"Pipeline Opportunity",
				"2026-11-01",
				"2026-12-31",
				filters=json.dumps({"contact_by": factories.SALES_USER}),
			)
		}
		assert mine.name in names and theirs.name not in names
