"""The day's job does what the floor does (an Event and a notification per follow-up) and little
else: no second read of a document it has locked, no row it has just inserted read back."""

import frappe

from sales_pipeline.sales_pipeline.follow_up import (
	as_html_text,
	get_event_values,
	get_reminder_subject,
	reminders,
	run_follow_up_reminders,
)
from tests import factories
from tests.statements import statements_of
from tests.test_follow_up import (  # noqa: F401 (fixtures)
	TODAY_AT_3PM,
	frozen_time,
	notifications,
	only_event,
	with_follow_up,
)

OPPORTUNITY = "Pipeline Opportunity"


def written_behind_the_form(count: int) -> list:
	"""Opportunities whose follow-up due today was written straight to the database, as an import
	writes it: no Event and no Pipeline Follow Up row yet."""
	docs = [factories.make_opportunity(items=0, opportunity_amount=100) for _ in range(count)]
	write_follow_ups_behind_the_form(docs)
	return docs


def write_follow_ups_behind_the_form(docs: list) -> None:
	for doc in docs:
		frappe.db.set_value(
			OPPORTUNITY, doc.name, {"contact_by": factories.SALES_USER_2, "contact_date": TODAY_AT_3PM}
		)
		doc.reload()


def floor(docs: list) -> None:
	"""What the job cannot avoid for each follow-up: its Event (with the participant row) and its
	notification, inserted through the ORM."""
	for doc in docs:
		frappe.get_doc(
			{
				"doctype": "Event",
				"event_type": "Private",
				"event_category": "Call",
				"send_reminder": 0,
				**get_event_values(OPPORTUNITY, doc),
				"event_participants": [{"reference_doctype": OPPORTUNITY, "reference_docname": doc.name}],
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": doc.contact_by,
				"type": "Alert",
				"document_type": OPPORTUNITY,
				"document_name": doc.name,
				"subject": get_reminder_subject(OPPORTUNITY, doc),
				"email_content": as_html_text(doc.to_discuss),
			}
		).insert(ignore_permissions=True)


def job_statements(docs: list) -> int:
	"""Statements of the job with the follow-ups of `docs` due, rolled back after."""
	write_follow_ups_behind_the_form(docs)
	count = len(statements_of(run_follow_up_reminders))
	frappe.db.rollback(save_point="follow_ups_due")
	return count


def floor_statements(docs: list) -> int:
	count = len(statements_of(floor, docs))
	frappe.db.rollback(save_point="follow_ups_due")
	return count


def test_the_job_sends_at_most_three_statements_per_follow_up_beyond_its_floor():
	"""Beyond the floor's inserts: the lock of the document, the Pipeline Follow Up row with what was
	sent, and the savepoint that isolates a failing record (a run that commits per follow-up has
	none). Per follow-up: the difference between three due and one due, so that what a run costs
	whatever it finds cancels out."""
	docs = [factories.make_opportunity(items=0, opportunity_amount=100) for _ in range(3)]
	frappe.db.savepoint("follow_ups_due")
	job_statements(docs), floor_statements([frappe.get_doc(OPPORTUNITY, docs[0].name)])  # warm caches
	write_follow_ups_behind_the_form(docs)
	due = list(docs)
	frappe.db.rollback(save_point="follow_ups_due")
	floor_per_follow_up = (floor_statements(due) - floor_statements(due[:1])) / 2
	job_per_follow_up = (job_statements(docs) - job_statements(docs[:1])) / 2
	assert floor_per_follow_up >= 4  # an Event, its participant, a notification, ...
	assert job_per_follow_up <= floor_per_follow_up + 3, (job_per_follow_up, floor_per_follow_up)


def test_a_follow_up_row_made_after_the_due_list_is_read_is_notified_once(monkeypatch):
	"""The due list read no Pipeline Follow Up row for the document, but a save made it (and its
	Event) before the job locked the document: the job finds it, and neither a second Event nor a
	second notification is made."""
	doc = with_follow_up(when=TODAY_AT_3PM)
	event = only_event(doc)
	list_due = reminders.get_due_follow_ups

	def listed_before_the_save(*args, **kwargs):
		rows = list_due(*args, **kwargs)
		for row in rows:
			row.follow_up = row.event = None
		return rows

	monkeypatch.setattr(reminders, "get_due_follow_ups", listed_before_the_save)
	result = run_follow_up_reminders()
	assert (result.notified, result.events_created, result.failed) == (1, 0, 0)
	assert only_event(doc).name == event.name
	assert len(notifications(doc)) == 1
	assert frappe.db.get_value(
		"Pipeline Follow Up", {"reference_name": doc.name}, ["event", "notified_user"]
	) == (event.name, factories.SALES_USER_2)


def test_a_follow_up_written_behind_the_form_gets_one_row_with_what_was_sent():
	[doc] = written_behind_the_form(1)
	result = run_follow_up_reminders()
	assert (result.notified, result.events_created) == (1, 1)
	[row] = frappe.get_all(
		"Pipeline Follow Up",
		filters={"reference_doctype": OPPORTUNITY, "reference_name": doc.name},
		fields=["event", "notified_user", "notified_contact_date", "notification_log"],
	)
	assert row.event == only_event(doc).name
	assert (row.notified_user, str(row.notified_contact_date)) == (factories.SALES_USER_2, TODAY_AT_3PM)
	assert row.notification_log == notifications(doc)[0].name
	assert run_follow_up_reminders().notified == 0


def test_a_user_who_lost_the_sales_role_gets_no_reminder():
	"""Without User Permissions the job reads only the document's owner for the check; the user's
	roles still decide."""
	user = factories.make_user(roles=("Sales User",))
	doc = with_follow_up(user=user.name, to_discuss="the secret price")
	[behind_the_form] = written_behind_the_form(1)
	frappe.db.set_value(OPPORTUNITY, behind_the_form.name, "contact_by", user.name)
	user.remove_roles("Sales User")
	result = run_follow_up_reminders()
	assert (result.notified, result.failed) == (0, 0)
	assert not notifications(doc) and not notifications(behind_the_form)
	assert not frappe.db.exists("Event", {"subject": ("like", f"%{doc.title}%"), "status": "Open"})
