"""A follow-up whose day passed without being done: one "overdue" notification to its user, once.

Time is frozen in UTC with microseconds; the site runs in America/New_York, so the "day" that
passes is New York's.
"""

import threading

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.follow_up import run_follow_up_reminders
from tests import factories
from tests.conftest import TEST_SITE, get_sites_path
from tests.test_follow_up import NOW_UTC, TODAY_AT_3PM, TOMORROW_AT_10AM, with_follow_up

# 05:30:00.5 UTC on Tuesday 1 December is 00:30 in New York: Monday 30 November has passed.
NEXT_DAY_UTC = "2026-12-01 05:30:00.500000"
# 13:00:00.75 UTC on Tuesday is 08:00 in New York, the same Tuesday.
LATER_NEXT_DAY_UTC = "2026-12-01 13:00:00.750000"


@pytest.fixture(autouse=True)
def frozen_time():
	with freeze_time(NOW_UTC, tz_offset=0) as frozen:
		yield frozen


def overdue_notifications(doc) -> list[frappe._dict]:
	return frappe.get_all(
		"Notification Log",
		filters={"document_type": doc.doctype, "document_name": doc.name, "subject": ("like", "%Overdue%")},
		fields=["name", "for_user", "subject"],
	)


@pytest.fixture(params=["opportunity", "lead"])
def document(request):
	return factories.make_opportunity() if request.param == "opportunity" else factories.make_lead()


def test_the_day_after_its_user_gets_one_overdue_notification(document, frozen_time):
	"""The first run after the follow-up's day tells its user it is overdue, linked to the document."""
	doc = with_follow_up(document, user=factories.SALES_USER_2, when=TODAY_AT_3PM)
	run_follow_up_reminders()
	assert overdue_notifications(doc) == []
	frozen_time.move_to(NEXT_DAY_UTC)
	result = run_follow_up_reminders()
	assert result.overdue_notified == 1
	[notification] = overdue_notifications(doc)
	assert notification.for_user == factories.SALES_USER_2
	assert "30 Nov 2026 15:00" in notification.subject


def test_later_runs_do_not_repeat_it(frozen_time):
	"""Runs later that day, and on the days after, send nothing more for the same follow-up."""
	doc = with_follow_up(when=TODAY_AT_3PM)
	frozen_time.move_to(NEXT_DAY_UTC)
	run_follow_up_reminders()
	frozen_time.move_to(LATER_NEXT_DAY_UTC)
	assert run_follow_up_reminders().overdue_notified == 0
	frozen_time.move_to("2026-12-03 14:00:00.250000")
	assert run_follow_up_reminders().overdue_notified == 0
	assert len(overdue_notifications(doc)) == 1


def test_a_follow_up_not_yet_past_is_not_overdue():
	"""Today's follow-up, even after its hour, is not overdue until its day ends."""
	doc = with_follow_up(when="2026-11-30 09:00:00")
	assert run_follow_up_reminders().overdue_notified == 0
	assert overdue_notifications(doc) == []


def test_a_follow_up_done_is_not_overdue(frozen_time):
	"""Done on its day: nothing overdue the day after."""
	doc = with_follow_up(when=TODAY_AT_3PM)
	frappe.get_doc(doc.doctype, doc.name).complete_follow_up(note="Called")
	frozen_time.move_to(NEXT_DAY_UTC)
	assert run_follow_up_reminders().overdue_notified == 0
	assert overdue_notifications(doc) == []


def test_a_closed_opportunity_is_not_overdue(frozen_time):
	doc = with_follow_up(when=TODAY_AT_3PM)
	doc.close_opportunity()
	frozen_time.move_to(NEXT_DAY_UTC)
	run_follow_up_reminders()
	assert overdue_notifications(doc) == []


def test_a_moved_follow_up_that_passes_again_is_overdue_again(frozen_time):
	"""Moved to a new date, the follow-up is a new one: overdue once more if that day passes too."""
	doc = with_follow_up(when=TODAY_AT_3PM)
	frozen_time.move_to(NEXT_DAY_UTC)
	run_follow_up_reminders()
	doc.reload()
	doc.contact_date = "2026-12-01 11:00:00"
	doc.save()
	frozen_time.move_to(LATER_NEXT_DAY_UTC)
	assert run_follow_up_reminders().overdue_notified == 0
	frozen_time.move_to("2026-12-02 14:00:00.250000")
	assert run_follow_up_reminders().overdue_notified == 1
	assert len(overdue_notifications(doc)) == 2


def test_a_user_who_cannot_read_the_document_is_not_told(frozen_time):
	"""The overdue notification, like the day's one, goes only to a user who can still read it."""
	user = factories.make_user()
	doc = with_follow_up(user=user.name, when=TODAY_AT_3PM)
	user.remove_roles("Sales User")
	frozen_time.move_to(NEXT_DAY_UTC)
	assert run_follow_up_reminders().overdue_notified == 0
	assert overdue_notifications(doc) == []
	follow_up = frappe.db.get_value(
		"Pipeline Follow Up",
		{"reference_doctype": doc.doctype, "reference_name": doc.name},
		"overdue_notified_user",
	)
	assert follow_up == user.name


def test_the_database_row_records_what_was_sent(frozen_time):
	"""The Pipeline Follow Up row keeps the user, the date and the notification sent."""
	doc = with_follow_up(when=TODAY_AT_3PM)
	frozen_time.move_to(NEXT_DAY_UTC)
	run_follow_up_reminders()
	row = frappe.db.get_value(
		"Pipeline Follow Up",
		{"reference_doctype": doc.doctype, "reference_name": doc.name},
		["overdue_notified_user", "overdue_notified_contact_date", "overdue_notification_log"],
		as_dict=True,
	)
	assert row.overdue_notified_user == factories.SALES_USER_2
	assert str(row.overdue_notified_contact_date) == TODAY_AT_3PM
	assert row.overdue_notification_log == overdue_notifications(doc)[0].name


class TestTwoRunsAtOnce:
	"""Two scheduler runs on two connections at the same moment send each overdue one once."""

	@pytest.fixture
	def committed_overdue(self):
		docs = [with_follow_up(when=TODAY_AT_3PM) for _ in range(3)]
		docs.append(with_follow_up(factories.make_lead(), when=TOMORROW_AT_10AM))
		frappe.db.commit()  # nosemgrep
		yield docs
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for doc in docs:
			frappe.db.delete("Error Log", {"reference_name": doc.name})
			frappe.db.delete("Notification Log", {"document_name": doc.name})
			frappe.delete_doc(doc.doctype, doc.name, force=True)
			if doc.doctype == "Pipeline Opportunity":
				frappe.delete_doc("Pipeline Lead", doc.party_name, force=True)
		frappe.db.commit()  # nosemgrep

	def test_each_overdue_follow_up_is_notified_once(self, committed_overdue, frozen_time):
		frozen_time.move_to("2026-12-02 14:00:00.250000")
		barrier = threading.Barrier(2)
		results, errors = [], []

		def run():
			try:
				frappe.init(site=TEST_SITE, sites_path=get_sites_path())
				frappe.connect()
				frappe.set_user("Administrator")
				barrier.wait(timeout=30)
				results.append(run_follow_up_reminders(commit=True))
			except Exception as exc:  # reported below, in the test's thread
				errors.append(exc)
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=run) for _ in range(2)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		assert not errors, errors
		frappe.db.rollback()  # see what the runs committed
		for doc in committed_overdue:
			assert len(overdue_notifications(doc)) == 1, doc.name
		assert sum(result.failed for result in results) == 0
