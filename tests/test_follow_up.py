"""Follow-ups: the Event in the Next Contact By user's calendar and the day's notification.

The test site runs in America/New_York while the database server runs in UTC, so "today"
computed in SQL instead of Python would show. Time is frozen at a moment with microseconds.
"""

import threading

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.follow_up import (
	get_due_follow_ups,
	get_follow_up_calendar_events,
	run_follow_up_reminders,
)
from tests import factories
from tests.assertions import assert_refused
from tests.conftest import TEST_SITE, get_sites_path

# 14:00:00.25 UTC is 09:00:00.25 in New York on Monday 30 November 2026.
NOW_UTC = "2026-11-30 14:00:00.250000"
TODAY_AT_3PM = "2026-11-30 15:00:00"
TODAY_AT_5PM = "2026-11-30 17:00:00"
TOMORROW_AT_10AM = "2026-12-01 10:00:00"
YESTERDAY_AT_10AM = "2026-11-29 10:00:00"


@pytest.fixture(autouse=True)
def frozen_time():
	with freeze_time(NOW_UTC, tz_offset=0) as frozen:
		yield frozen


def follow_up_events(doc) -> list[frappe._dict]:
	"""Every Event whose participants point at `doc`."""
	return frappe.get_all(
		"Event",
		filters=[
			["Event Participants", "reference_doctype", "=", doc.doctype],
			["Event Participants", "reference_docname", "=", doc.name],
		],
		fields=["name", "owner", "starts_on", "ends_on", "event_type", "subject", "status"],
		distinct=True,
	)


def only_event(doc) -> frappe._dict:
	events = follow_up_events(doc)
	assert len(events) == 1, events
	return events[0]


def notifications(doc, user=None) -> list[frappe._dict]:
	filters = {"document_type": doc.doctype, "document_name": doc.name}
	if user:
		filters["for_user"] = user
	return frappe.get_all("Notification Log", filters=filters, fields=["name", "for_user", "subject", "type"])


def with_follow_up(doc=None, user=factories.SALES_USER_2, when=TODAY_AT_3PM, **values):
	"""An opportunity (or the given document) saved with a follow-up by `user` at `when`."""
	doc = doc or factories.make_opportunity()
	doc.update({"contact_by": user, "contact_date": when, **values})
	doc.save()
	return doc


def user_sees_event(user, event_name) -> bool:
	"""Whether `user` can open the Event and finds it in their desk calendar."""
	from frappe.desk.doctype.event.event import get_events

	can_open = frappe.has_permission("Event", "read", doc=frappe.get_doc("Event", event_name), user=user)
	in_calendar = event_name in {e.name for e in get_events("2026-11-01", "2026-12-31", user=user)}
	assert can_open == in_calendar
	return can_open


class TestFollowUpInput:
	def test_a_date_without_a_user_is_refused(self):
		doc = factories.make_opportunity()
		doc.contact_date = TODAY_AT_3PM
		assert_refused(doc, "Next Contact By is required")
		assert not follow_up_events(doc)

	def test_a_user_without_a_date_is_refused(self):
		doc = factories.make_opportunity()
		doc.contact_by = factories.SALES_USER_2
		assert_refused(doc, "Next Contact Date is required")

	def test_a_disabled_user_is_refused(self):
		user = factories.make_user(enabled=0)
		doc = factories.make_opportunity()
		doc.update(dict(contact_by=user.name, contact_date=TODAY_AT_3PM))
		assert_refused(doc, "is disabled")
		assert not follow_up_events(doc)

	def test_a_website_user_is_refused(self):
		user = factories.make_user(roles=(), user_type="Website User")
		doc = factories.make_lead()
		doc.update(dict(contact_by=user.name, contact_date=TODAY_AT_3PM))
		assert_refused(doc, "not a desk user")

	def test_guest_is_refused(self):
		doc = factories.make_opportunity()
		doc.update(dict(contact_by="Guest", contact_date=TODAY_AT_3PM))
		assert_refused(doc, "not a desk user")

	def test_a_user_who_cannot_open_the_document_is_refused(self):
		doc = factories.make_opportunity()
		doc.update(dict(contact_by=factories.OUTSIDER, contact_date=TODAY_AT_3PM))
		assert_refused(doc, "has no access")

	def test_a_date_in_the_past_is_refused(self):
		doc = factories.make_opportunity()
		doc.update(dict(contact_by=factories.SALES_USER_2, contact_date=YESTERDAY_AT_10AM))
		assert_refused(doc, "cannot be in the past")
		assert not follow_up_events(doc)

	def test_an_old_date_does_not_block_an_unrelated_edit(self):
		"""A follow-up that has since passed does not stop the user from editing something else."""
		doc = with_follow_up(when=TODAY_AT_3PM)
		with freeze_time("2026-12-03 15:00:00.500000", tz_offset=0):
			doc.reload()
			doc.probability = 65
			doc.save()
			assert frappe.db.get_value(doc.doctype, doc.name, "probability") == 65

	def test_moving_an_old_follow_up_to_another_past_date_is_refused(self):
		doc = with_follow_up(when=TODAY_AT_3PM)
		with freeze_time("2026-12-03 15:00:00.500000", tz_offset=0):
			doc.reload()
			doc.contact_date = "2026-12-02 09:00:00"
			assert_refused(doc, "cannot be in the past")


class TestFollowUpEvent:
	def test_saving_puts_one_private_event_in_the_users_calendar(self, as_user):
		"""A Sales User sets a follow-up for a colleague: the Event belongs to the colleague."""
		as_user(factories.SALES_USER)
		doc = with_follow_up(user=factories.SALES_USER_2, when=TODAY_AT_3PM)
		as_user("Administrator")
		event = only_event(doc)
		assert event.owner == factories.SALES_USER_2
		assert event.event_type == "Private"
		assert str(event.starts_on) == TODAY_AT_3PM
		assert str(event.ends_on) == "2026-11-30 15:30:00"
		assert event.status == "Open"

	def test_the_event_is_visible_to_the_next_contact_by_user_only(self, as_user):
		as_user(factories.SALES_USER)
		doc = with_follow_up(user=factories.SALES_USER_2)
		event = only_event(doc).name
		assert user_sees_event(factories.SALES_USER_2, event)
		# Not the user who set it, not a manager, not someone without access to the document.
		assert not user_sees_event(factories.SALES_USER, event)
		assert not user_sees_event(factories.SALES_MANAGER, event)
		assert not user_sees_event(factories.OUTSIDER, event)

	def test_saving_again_never_makes_a_second_event(self):
		doc = with_follow_up()
		doc.probability = 30
		doc.save()
		doc.to_discuss = "Pricing for the second phase"
		doc.save()
		assert only_event(doc)

	def test_changing_the_date_moves_the_event(self):
		doc = with_follow_up(when=TODAY_AT_3PM)
		first = only_event(doc)
		doc.contact_date = TOMORROW_AT_10AM
		doc.save()
		moved = only_event(doc)
		assert moved.name == first.name
		assert str(moved.starts_on) == TOMORROW_AT_10AM

	def test_changing_the_user_moves_the_event_to_their_calendar(self, as_user):
		as_user(factories.SALES_USER)
		doc = with_follow_up(user=factories.SALES_USER_2)
		first = only_event(doc)
		doc.contact_by = factories.SALES_MANAGER
		doc.save()
		moved = only_event(doc)
		assert moved.name == first.name
		assert moved.owner == factories.SALES_MANAGER
		assert user_sees_event(factories.SALES_MANAGER, moved.name)
		assert not user_sees_event(factories.SALES_USER_2, moved.name)

	def test_clearing_the_follow_up_removes_the_event(self):
		doc = with_follow_up()
		doc.update(dict(contact_by=None, contact_date=None))
		doc.save()
		assert not follow_up_events(doc)

	def test_closing_the_opportunity_removes_the_event(self):
		doc = with_follow_up()
		doc.close_opportunity()
		assert not follow_up_events(doc)

	def test_reopening_puts_the_event_back(self):
		doc = with_follow_up(when=TOMORROW_AT_10AM)
		doc.close_opportunity()
		doc.reopen_opportunity()
		assert str(only_event(doc).starts_on) == TOMORROW_AT_10AM

	def test_losing_the_opportunity_removes_the_event(self):
		doc = with_follow_up()
		doc.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])
		assert not follow_up_events(doc)

	def test_converting_the_opportunity_removes_the_event(self):
		doc = with_follow_up()
		quotation = make_quotation(doc.name).insert()
		quotation.submit()
		assert only_event(doc)
		quotation.set_as_ordered()
		assert frappe.db.get_value(doc.doctype, doc.name, "status") == "Converted"
		assert not follow_up_events(doc)

	def test_a_done_event_stays_when_the_opportunity_closes(self):
		"""Only the open Event is removed; one the user marked Completed is kept as history."""
		doc = with_follow_up()
		frappe.db.set_value("Event", only_event(doc).name, "status", "Completed")
		doc.close_opportunity()
		assert only_event(doc).status == "Completed"

	def test_deleting_the_opportunity_deletes_its_events(self, as_user):
		doc = with_follow_up()
		event = only_event(doc).name
		as_user(factories.SALES_MANAGER)
		frappe.delete_doc(doc.doctype, doc.name)
		assert not frappe.db.exists("Event", event)
		assert not frappe.db.exists("Pipeline Follow Up", {"reference_name": doc.name})

	def test_a_lead_follow_up_gets_its_event_and_loses_it_when_converted(self):
		from sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead import make_customer

		lead = with_follow_up(factories.make_lead(), when=TOMORROW_AT_10AM)
		assert only_event(lead).owner == factories.SALES_USER_2
		make_customer(lead.name).insert()
		assert frappe.db.get_value("Pipeline Lead", lead.name, "status") == "Converted"
		assert not follow_up_events(lead)

	@pytest.mark.parametrize(
		"title", ["<script>alert('x')</script>Acme", '<img src=x onerror="alert(1)">Acme']
	)
	def test_the_event_subject_is_escaped(self, title):
		lead = factories.make_lead(company_name=title)
		doc = with_follow_up(factories.make_opportunity(lead))
		subject = only_event(doc).subject
		assert "<script" not in subject and "<img" not in subject
		assert "Acme" in subject


@pytest.fixture
def no_outgoing_email_account():
	"""Frappe keeps the outgoing account it found for the rest of the request; forget it."""
	frappe.local.outgoing_email_account = {}
	yield
	frappe.local.outgoing_email_account = {}


@pytest.fixture
def outgoing_email_account(no_outgoing_email_account):
	return frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "Pipeline Test Outgoing",
			"email_id": "pipeline-test-outgoing@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"no_smtp_authentication": 1,
		}
	).insert()


class TestOnTheDay:
	def test_the_day_gives_one_notification_linked_to_the_document(self):
		doc = with_follow_up(user=factories.SALES_USER_2, when=TODAY_AT_3PM, to_discuss="Renewal terms")
		result = run_follow_up_reminders()
		assert result.notified == 1
		[notification] = notifications(doc)
		assert notification.for_user == factories.SALES_USER_2
		assert notification.type == "Alert"
		assert "15:00" in notification.subject

	def test_running_twice_notifies_once(self):
		doc = with_follow_up()
		run_follow_up_reminders()
		second = run_follow_up_reminders()
		assert second.notified == 0
		assert len(notifications(doc)) == 1
		assert only_event(doc)

	def test_a_second_run_finds_nothing_to_do(self):
		"""After a run the due-follow-up query returns nothing: a second run costs one query a DocType."""
		with_follow_up()
		with_follow_up(factories.make_lead(), when=TODAY_AT_5PM)
		run_follow_up_reminders()
		day = frappe.utils.get_datetime("2026-11-30")
		for doctype in ("Pipeline Opportunity", "Pipeline Lead"):
			assert get_due_follow_ups(doctype, day, frappe.utils.add_days(day, 1)) == []

	def test_only_todays_open_follow_ups_are_notified(self):
		today = with_follow_up(when=TODAY_AT_5PM)
		tomorrow = with_follow_up(when=TOMORROW_AT_10AM)
		closed = with_follow_up(when=TODAY_AT_3PM)
		closed.close_opportunity()
		run_follow_up_reminders()
		assert len(notifications(today)) == 1
		assert not notifications(tomorrow)
		assert not notifications(closed)

	def test_today_is_the_system_time_zones_day(self):
		"""At 22:30 in New York it is already tomorrow in UTC; a follow-up at 23:00 New York time is today."""
		with freeze_time("2026-12-01 03:30:00.500000", tz_offset=0):
			late_today = with_follow_up(when="2026-11-30 23:00:00")
			utc_today = with_follow_up(when="2026-12-01 09:00:00")
			run_follow_up_reminders()
		assert len(notifications(late_today)) == 1
		assert not notifications(utc_today)

	def test_a_new_date_is_a_new_follow_up(self):
		"""Moving a notified follow-up to later the same day notifies again, once."""
		doc = with_follow_up(when=TODAY_AT_3PM)
		run_follow_up_reminders()
		doc.reload()
		doc.contact_date = TODAY_AT_5PM
		doc.save()
		run_follow_up_reminders()
		run_follow_up_reminders()
		assert len(notifications(doc)) == 2

	def test_a_follow_up_written_behind_the_form_gets_its_event_and_notification(self):
		"""Imported or updated with a plain database write: no save ran, the job makes the Event."""
		doc = factories.make_opportunity()
		frappe.db.set_value(
			doc.doctype, doc.name, {"contact_by": factories.SALES_USER_2, "contact_date": TODAY_AT_5PM}
		)
		assert not follow_up_events(doc)
		result = run_follow_up_reminders()
		assert result.events_created == 1
		event = only_event(doc)
		assert (event.owner, str(event.starts_on)) == (factories.SALES_USER_2, TODAY_AT_5PM)
		assert len(notifications(doc, factories.SALES_USER_2)) == 1

	def test_a_date_changed_behind_the_form_moves_the_event(self):
		doc = with_follow_up(when=TOMORROW_AT_10AM)
		frappe.db.set_value(doc.doctype, doc.name, "contact_date", TODAY_AT_5PM)
		run_follow_up_reminders()
		assert str(only_event(doc).starts_on) == TODAY_AT_5PM

	def test_a_broken_record_is_logged_and_skipped(self):
		"""One follow-up whose user no longer exists goes to the Error Log; the others are notified."""
		first, broken, last = (with_follow_up(when=TODAY_AT_3PM) for _ in range(3))
		frappe.db.set_value(broken.doctype, broken.name, "contact_by", "deleted.user@example.com")
		result = run_follow_up_reminders()
		assert (result.notified, result.failed) == (2, 1)
		assert len(notifications(first)) == 1 and len(notifications(last)) == 1
		assert not notifications(broken)
		assert frappe.db.exists(
			"Error Log", {"reference_doctype": broken.doctype, "reference_name": broken.name}
		)

	@pytest.mark.parametrize(
		"title", ["<script>alert('x')</script>Globex", '<img src=x onerror="alert(1)">Globex']
	)
	def test_the_notification_subject_is_escaped(self, title):
		lead = factories.make_lead(company_name=title)
		doc = with_follow_up(factories.make_opportunity(lead), to_discuss='<img src=x onerror="alert(2)">')
		run_follow_up_reminders()
		[notification] = notifications(doc)
		assert "<script" not in notification.subject and "<img" not in notification.subject
		assert "Globex" in notification.subject
		email_content = frappe.db.get_value("Notification Log", notification.name, "email_content")
		assert "<img" not in email_content

	def test_an_email_goes_out_only_when_the_settings_ask(self, outgoing_email_account):
		quiet = with_follow_up(when=TODAY_AT_3PM)
		run_follow_up_reminders()
		assert not frappe.db.exists("Email Queue", {"reference_name": quiet.name})
		frappe.db.set_single_value("Pipeline Settings", "send_follow_up_email", 1)
		loud = with_follow_up(when=TODAY_AT_5PM)
		run_follow_up_reminders()
		assert frappe.db.count("Email Queue", {"reference_name": loud.name}) == 1
		assert not frappe.db.exists("Email Queue", {"reference_name": quiet.name})

	def test_without_an_email_account_the_notification_still_goes_out(self, no_outgoing_email_account):
		"""Email asked for but no outgoing account: the bell notification counts, the email failure is logged."""
		frappe.db.set_single_value("Pipeline Settings", "send_follow_up_email", 1)
		frappe.db.set_value("Email Account", {"default_outgoing": 1}, "default_outgoing", 0)
		doc = with_follow_up(when=TODAY_AT_3PM)
		result = run_follow_up_reminders()
		assert (result.notified, result.failed) == (1, 0)
		assert len(notifications(doc)) == 1
		assert frappe.db.exists("Error Log", {"reference_name": doc.name, "method": ("like", "%email%")})

	def test_a_user_who_turned_notifications_off_gets_none_and_is_not_asked_again(self):
		"""Frappe's Notification Settings are respected; the follow-up still counts as handled."""
		frappe.db.set_value("Notification Settings", factories.SALES_USER_2, "enabled", 0)
		doc = with_follow_up(user=factories.SALES_USER_2)
		assert run_follow_up_reminders().notified == 1
		assert not notifications(doc)
		assert run_follow_up_reminders().notified == 0

	def test_the_lead_follow_up_is_notified_too(self):
		lead = with_follow_up(factories.make_lead(), when=TODAY_AT_5PM)
		run_follow_up_reminders()
		assert len(notifications(lead, factories.SALES_USER_2)) == 1


class TestConcurrentRuns:
	"""Two scheduler runs at once, each on its own database connection, on committed data."""

	@pytest.fixture
	def committed_follow_ups(self):
		docs = [with_follow_up(when=TODAY_AT_3PM) for _ in range(4)]
		docs.append(with_follow_up(factories.make_lead(), when=TODAY_AT_5PM))
		frappe.db.commit()  # nosemgrep
		yield docs
		# Everything they made (leads, items, Events, notifications, follow-up rows) goes too.
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for doc in docs:
			frappe.db.delete("Error Log", {"reference_name": doc.name})
			if doc.doctype == "Pipeline Opportunity":
				factories.delete_opportunity_without_trace(doc)
			else:
				factories.delete_without_trace(doc.doctype, doc.name)
		frappe.db.commit()  # nosemgrep

	def test_two_runs_at_once_notify_each_follow_up_once(self, committed_follow_ups):
		barrier = threading.Barrier(2)
		results, errors = [], []

		def run():
			try:
				frappe.init(site=TEST_SITE, sites_path=get_sites_path())
				frappe.connect()
				frappe.set_user("Administrator")
				barrier.wait(timeout=30)
				results.append(run_follow_up_reminders(commit=True))
			except Exception as exc:
				errors.append(exc)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run) for _ in range(2)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)

		assert not errors, errors
		assert sum(result.notified for result in results) == len(committed_follow_ups)
		assert sum(result.failed for result in results) == 0
		frappe.db.rollback()  # read what the two connections committed
		for doc in committed_follow_ups:
			assert len(notifications(doc)) == 1, doc.name
			assert only_event(doc)


class TestCalendar:
	def test_lists_the_follow_ups_in_the_range(self, as_user):
		inside = with_follow_up(when=TOMORROW_AT_10AM)
		outside = with_follow_up(when="2027-01-15 10:00:00")
		as_user(factories.SALES_USER)
		rows = get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-30", "2026-12-07")
		names = {row.name for row in rows}
		assert inside.name in names and outside.name not in names

	def test_applies_the_calendar_filters(self, as_user):
		mine = with_follow_up(user=factories.SALES_USER, when=TOMORROW_AT_10AM)
		theirs = with_follow_up(user=factories.SALES_USER_2, when=TOMORROW_AT_10AM)
		as_user(factories.SALES_USER)
		rows = get_follow_up_calendar_events(
			"Pipeline Opportunity",
			"2026-11-30",
			"2026-12-07",
			filters=[["Pipeline Opportunity", "contact_by", "=", factories.SALES_USER]],
		)
		assert {row.name for row in rows} >= {mine.name}
		assert theirs.name not in {row.name for row in rows}

	def test_refuses_a_user_without_a_sales_role(self, as_user):
		with_follow_up(when=TOMORROW_AT_10AM)
		as_user(factories.OUTSIDER)
		with pytest.raises(frappe.PermissionError):
			get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-30", "2026-12-07")

	def test_refuses_a_range_that_is_not_dates(self, as_user):
		as_user(factories.SALES_USER)
		with pytest.raises(frappe.ValidationError, match="must be dates"):
			get_follow_up_calendar_events("Pipeline Lead", "yesterday-ish", "2026-12-07")

	def test_refuses_a_doctype_without_follow_ups(self, as_user):
		as_user(factories.SALES_USER)
		with pytest.raises(frappe.ValidationError, match="has no follow-ups"):
			get_follow_up_calendar_events("User", "2026-11-30", "2026-12-07")


class TestMyFollowUpsReport:
	def run_report(self, **filters):
		from frappe.desk.query_report import run

		result = run("Pipeline Follow-ups", filters=filters)
		return {(row["reference_doctype"], row["reference_name"]): row for row in result["result"]}

	def test_shows_my_follow_ups_due_today_and_overdue(self, as_user, frozen_time):
		overdue = with_follow_up(user=factories.SALES_USER_2, when=TODAY_AT_3PM)
		lead_today = with_follow_up(factories.make_lead(), user=factories.SALES_USER_2, when=TODAY_AT_5PM)
		later = with_follow_up(user=factories.SALES_USER_2, when=TOMORROW_AT_10AM)
		someone_else = with_follow_up(user=factories.SALES_USER, when=TODAY_AT_5PM)
		closed = with_follow_up(user=factories.SALES_USER_2, when=TODAY_AT_5PM)
		closed.close_opportunity()
		frozen_time.move_to("2026-12-01 00:30:00.500000")  # 19:30 in New York: 15:00 has passed
		frappe.db.set_value(overdue.doctype, overdue.name, "contact_date", "2026-11-29 15:00:00")
		as_user(factories.SALES_USER_2)
		rows = self.run_report()
		assert rows[(overdue.doctype, overdue.name)]["due"] == "Overdue"
		assert rows[(lead_today.doctype, lead_today.name)]["due"] == "Today"
		for doc in (later, someone_else, closed):
			assert (doc.doctype, doc.name) not in rows
		today_only = self.run_report(show_overdue=0)
		assert set(today_only) == {(lead_today.doctype, lead_today.name)}

	def test_refuses_a_user_without_a_sales_role(self, as_user):
		as_user(factories.OUTSIDER)
		with pytest.raises(frappe.PermissionError):
			self.run_report()


def test_text_with_markup_is_escaped_once():
	"""What the user typed shows as typed: no tag from it reaches the page, nothing is escaped twice."""
	from sales_pipeline.sales_pipeline.follow_up import as_html_text

	assert as_html_text("AT&T <b>pricing</b>") == "AT&amp;T pricing"
	# Frappe stores a disallowed tag already escaped; it is not escaped a second time.
	assert as_html_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "&lt;script&gt;alert(1)&lt;/script&gt;"
	assert as_html_text('<img src="x" onerror="alert(1)">Acme') == "Acme"
	assert as_html_text(None) == ""
