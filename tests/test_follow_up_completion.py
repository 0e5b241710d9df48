"""The "Follow-up done" of a follow-up: from the form (complete_follow_up) and from the calendar
(the Event marked Completed)."""

import json

import frappe
import pytest
import requests
from frappe.exceptions import FrappeTypeError
from frappe.handler import run_doc_method
from freezegun import freeze_time

from tests import factories
from tests.test_api_permissions import login
from tests.test_follow_up import (
	NOW_UTC,
	TODAY_AT_3PM,
	TOMORROW_AT_10AM,
	follow_up_events,
	only_event,
	with_follow_up,
)
from tests.test_security import post_request  # noqa: F401 (fixture)

NEXT_WEEK_AT_11AM = "2026-12-07 11:00:00"


@pytest.fixture(autouse=True)
def frozen_time():
	with freeze_time(NOW_UTC, tz_offset=0) as frozen:
		yield frozen


def comments(doc) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doc.doctype, "reference_name": doc.name, "comment_type": "Comment"},
		pluck="content",
	)


def stored_follow_up(doc) -> tuple:
	return tuple(frappe.db.get_value(doc.doctype, doc.name, ["contact_by", "contact_date"]))


@pytest.fixture(params=["opportunity", "lead"])
def document(request):
	"""A document of each kind that carries follow-ups."""
	return factories.make_opportunity() if request.param == "opportunity" else factories.make_lead()


def test_done_with_a_next_follow_up(document, as_user):
	"""A Sales User marks the follow-up done: a Comment with the note, the Event Completed and kept,
	the next follow-up set with an Event of its own."""
	doc = with_follow_up(document, user=factories.SALES_USER_2, when=TODAY_AT_3PM)
	first_event = only_event(doc).name
	as_user(factories.SALES_USER)
	frappe.get_doc(doc.doctype, doc.name).complete_follow_up(
		note="Called: <b>wants</b> a demo",
		next_contact_by=factories.SALES_USER,
		next_contact_date=NEXT_WEEK_AT_11AM,
	)
	as_user("Administrator")
	assert stored_follow_up(doc) == (factories.SALES_USER, frappe.utils.get_datetime(NEXT_WEEK_AT_11AM))
	[comment] = comments(doc)
	assert "wants a demo" in comment
	assert "<b>wants</b>" not in comment
	events = {event.name: event for event in follow_up_events(doc)}
	assert len(events) == 2
	assert events[first_event].status == "Completed"
	[next_event] = [event for name, event in events.items() if name != first_event]
	assert (next_event.owner, next_event.status) == (factories.SALES_USER, "Open")
	assert str(next_event.starts_on) == NEXT_WEEK_AT_11AM


def test_done_without_a_next_follow_up_clears_it(document):
	"""No next follow-up: the document has none left, the done Event stays as history."""
	doc = with_follow_up(document)
	event = only_event(doc).name
	frappe.get_doc(doc.doctype, doc.name).complete_follow_up(note="Sent the brochure")
	assert stored_follow_up(doc) == (None, None)
	assert frappe.db.get_value("Event", event, "status") == "Completed"
	assert len(comments(doc)) == 1


def test_nothing_to_complete_is_a_clear_message(document):
	"""A document without an open follow-up says so and records nothing."""
	with pytest.raises(frappe.ValidationError, match="no open follow-up"):
		frappe.get_doc(document.doctype, document.name).complete_follow_up(note="x")
	assert comments(document) == []


def test_a_closed_opportunity_has_nothing_to_complete():
	doc = with_follow_up()
	doc.close_opportunity()
	with pytest.raises(frappe.ValidationError, match="no open follow-up"):
		frappe.get_doc(doc.doctype, doc.name).complete_follow_up()


@pytest.mark.parametrize(
	("arguments", "named"),
	[
		({"next_contact_by": factories.SALES_USER}, "next_contact_by and next_contact_date"),
		({"next_contact_date": NEXT_WEEK_AT_11AM}, "next_contact_by and next_contact_date"),
		({"next_contact_by": factories.SALES_USER, "next_contact_date": "soon"}, "next_contact_date"),
		({"note": ["a", "list"]}, "note"),
		({"next_contact_by": {"name": "x"}, "next_contact_date": NEXT_WEEK_AT_11AM}, "next_contact_by"),
		({"next_contact_by": factories.SALES_USER, "next_contact_date": "2026-11-01 10:00:00"}, "past"),
		({"next_contact_by": factories.OUTSIDER, "next_contact_date": NEXT_WEEK_AT_11AM}, "no access"),
		({"next_contact_by": factories.SALES_USER_2, "next_contact_date": TODAY_AT_3PM}, "another time"),
	],
)
def test_bad_arguments_are_refused_and_nothing_changes(arguments, named):
	"""Arguments of the wrong type, half a next follow-up, a past date or a user who cannot read the
	document get a ValidationError naming the problem; the follow-up stays open."""
	doc = with_follow_up()
	event = only_event(doc).name
	with pytest.raises((frappe.ValidationError, FrappeTypeError), match=named):
		frappe.get_doc(doc.doctype, doc.name).complete_follow_up(**arguments)
	assert stored_follow_up(doc) == (factories.SALES_USER_2, frappe.utils.get_datetime(TODAY_AT_3PM))
	assert comments(doc) == []
	assert frappe.db.get_value("Event", event, "status") == "Open"


def test_a_user_who_cannot_write_is_refused(as_user):
	"""A user with the document shared read-only cannot mark its follow-up done."""
	doc = with_follow_up()
	reader = factories.make_user(roles=(factories.OUTSIDER_ROLE,))
	frappe.share.add_docshare(
		doc.doctype, doc.name, reader.name, read=1, flags={"ignore_share_permission": True}
	)
	as_user(reader.name)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(doc.doctype, doc.name).complete_follow_up()
	as_user("Administrator")
	assert stored_follow_up(doc)[0] == factories.SALES_USER_2


@pytest.mark.usefixtures("post_request")
def test_the_method_decides_from_the_stored_document():
	"""A request whose copy carries another follow-up completes the stored one."""
	doc = with_follow_up(when=TOMORROW_AT_10AM)
	copy = frappe.get_doc(doc.doctype, doc.name).as_dict()
	copy.update(contact_by=None, contact_date=None, status="Lost")
	run_doc_method("complete_follow_up", docs=json.dumps(copy, default=str), args=json.dumps({}))
	assert stored_follow_up(doc) == (None, None)
	assert frappe.db.get_value("Pipeline Opportunity", doc.name, "status") == "Open"
	assert only_event(doc).status == "Completed"


def test_marking_the_event_completed_in_the_calendar_completes_the_follow_up(document, as_user):
	"""The follow-up's user marks its Event Completed: the document's follow-up is done as with the
	form's "Follow-up done" and no next one."""
	doc = with_follow_up(document, user=factories.SALES_USER_2)
	event = only_event(doc).name
	as_user(factories.SALES_USER_2)
	event_doc = frappe.get_doc("Event", event)
	event_doc.status = "Completed"
	event_doc.save()
	as_user("Administrator")
	assert stored_follow_up(doc) == (None, None)
	assert frappe.db.get_value("Event", event, "status") == "Completed"
	assert len(comments(doc)) == 1


def test_a_users_own_event_completed_does_nothing():
	"""An Event a user made that lists the document is theirs: completing it leaves the follow-up."""
	doc = with_follow_up()
	own = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": "My own call",
			"starts_on": TOMORROW_AT_10AM,
			"event_participants": [{"reference_doctype": doc.doctype, "reference_docname": doc.name}],
		}
	).insert()
	own.status = "Completed"
	own.save()
	assert stored_follow_up(doc)[0] == factories.SALES_USER_2
	assert comments(doc) == []


def test_the_next_follow_up_of_the_same_day_is_notified_again():
	"""After "done" with a next follow-up later the same day, the day's job notifies the new one."""
	from sales_pipeline.sales_pipeline.follow_up import run_follow_up_reminders

	doc = with_follow_up(when=TODAY_AT_3PM)
	assert run_follow_up_reminders().notified == 1
	frappe.get_doc(doc.doctype, doc.name).complete_follow_up(
		next_contact_by=factories.SALES_USER_2, next_contact_date="2026-11-30 16:30:00"
	)
	assert run_follow_up_reminders().notified == 1


@pytest.fixture
def committed_follow_up():
	"""An opportunity with a follow-up the server process can see (committed), removed afterwards."""
	doc = with_follow_up(when=TOMORROW_AT_10AM)
	frappe.db.commit()  # nosemgrep
	yield doc
	frappe.db.rollback()
	frappe.delete_doc(doc.doctype, doc.name, force=True)
	frappe.delete_doc("Pipeline Lead", doc.party_name, force=True)
	frappe.db.commit()  # nosemgrep


def test_a_get_is_refused_and_the_same_post_accepted(live_server, committed_follow_up):
	"""complete_follow_up changes state: POST only."""
	doc = committed_follow_up
	session = login(live_server, factories.SALES_USER)
	params = {"dt": doc.doctype, "dn": doc.name, "method": "complete_follow_up", "args": json.dumps({})}
	url = f"{live_server}/api/method/run_doc_method"
	assert session.get(url, params=params, timeout=30).status_code == 403
	frappe.db.rollback()
	assert stored_follow_up(doc)[0] == factories.SALES_USER_2
	response = session.post(url, data=params, timeout=30)
	assert response.status_code == 200, response.text
	frappe.db.rollback()
	assert stored_follow_up(doc) == (None, None)


def test_guest_is_refused_over_http(live_server, committed_follow_up):
	doc = committed_follow_up
	params = {"dt": doc.doctype, "dn": doc.name, "method": "complete_follow_up", "args": json.dumps({})}
	response = requests.post(f"{live_server}/api/method/run_doc_method", data=params, timeout=30)
	assert response.status_code == 403


class TestCalendarOfOpenFollowUps:
	"""The follow-up calendars show open documents only, each with its Event's real duration."""

	def test_a_closed_opportunity_leaves_the_calendar(self, as_user):
		from sales_pipeline.sales_pipeline.follow_up import get_follow_up_calendar_events

		open_one = with_follow_up(when=TOMORROW_AT_10AM)
		closed = with_follow_up(when=TOMORROW_AT_10AM)
		closed.close_opportunity()
		as_user(factories.SALES_USER)
		names = {
			row.name
			for row in get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-30", "2026-12-07")
		}
		assert open_one.name in names
		assert closed.name not in names

	def test_each_follow_up_ends_when_its_event_ends(self, as_user):
		from sales_pipeline.sales_pipeline.follow_up import get_follow_up_calendar_events

		doc = with_follow_up(when=TOMORROW_AT_10AM)
		event = only_event(doc)
		frappe.db.set_value("Event", event.name, "ends_on", "2026-12-01 11:15:00")
		as_user(factories.SALES_USER)
		[row] = [
			row
			for row in get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-30", "2026-12-07")
			if row.name == doc.name
		]
		assert str(row.ends_on) == "2026-12-01 11:15:00"


def test_the_items_table_decides_with_items():
	"""With Items is set by the server from the items table, whatever the client sent."""
	with_rows = factories.make_opportunity(items=1, with_items=0)
	without_rows = factories.make_opportunity(items=0, with_items=1, opportunity_amount=500)
	assert (with_rows.with_items, without_rows.with_items) == (1, 0)
	assert without_rows.opportunity_amount == 500


class TestMyFollowUpsCalendar:
	"""The desk's calendars open on the user's own follow-ups; the Next Contact By filter shows a
	colleague's."""

	def events(self, **kwargs) -> set[str]:
		from sales_pipeline.sales_pipeline.follow_up import get_follow_up_calendar_events

		rows = get_follow_up_calendar_events("Pipeline Opportunity", "2026-11-30", "2026-12-07", **kwargs)
		return {row.name for row in rows}

	def test_opens_on_my_follow_ups(self, as_user):
		mine = with_follow_up(user=factories.SALES_USER, when=TOMORROW_AT_10AM)
		theirs = with_follow_up(user=factories.SALES_USER_2, when=TOMORROW_AT_10AM)
		as_user(factories.SALES_USER)
		names = self.events(mine_unless_filtered=True)
		assert mine.name in names
		assert theirs.name not in names

	def test_a_colleagues_follow_ups_by_the_filter(self, as_user):
		mine = with_follow_up(user=factories.SALES_USER, when=TOMORROW_AT_10AM)
		theirs = with_follow_up(user=factories.SALES_USER_2, when=TOMORROW_AT_10AM)
		as_user(factories.SALES_USER)
		names = self.events(
			mine_unless_filtered=True,
			filters=[["Pipeline Opportunity", "contact_by", "=", factories.SALES_USER_2]],
		)
		assert theirs.name in names
		assert mine.name not in names
