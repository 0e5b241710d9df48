"""The "Follow-up done" of a lead or opportunity: its current follow-up is recorded as done and the
next one, or none, is set.

From the form (the documents' whitelisted `complete_follow_up`) or by marking the follow-up's Event
Completed in the calendar (an Event on_update hook): a Comment on the document records it, with the
note, the Event becomes Completed and stays in the calendar as history, and the next follow-up gets
an Event of its own when the document is saved (event.put_event).
"""

import frappe
from frappe import _
from frappe.utils import format_datetime, get_datetime

from sales_pipeline.sales_pipeline.follow_up.records import (
	EVENT_MARKER_FIELD,
	as_html_text,
	has_open_follow_up,
	lock_follow_up,
)


def complete_follow_up(
	doc, note: str | None = None, next_contact_by: str | None = None, next_contact_date: str | None = None
) -> None:
	"""Record the follow-up of `doc` as done and set the next one. `doc` is the stored document, its
	row locked, and the caller checked write permission on it."""
	note, next_contact_by, next_contact_date = parse_completion_arguments(
		note, next_contact_by, next_contact_date
	)
	if not has_open_follow_up(doc):
		frappe.throw(
			_("{0} {1} has no open follow-up to mark as done").format(_(doc.doctype), frappe.bold(doc.name)),
			frappe.ValidationError,
			title=_("Nothing to Complete"),
		)
	if next_contact_by == doc.contact_by and next_contact_date == get_datetime(doc.contact_date):
		frappe.throw(
			_("next_contact_date: the next follow-up must be at another time than the one done"),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	done_by, done_for = doc.contact_by, doc.contact_date
	# A next follow-up refused on save leaves the Event open too, even for a caller that goes on.
	frappe.db.savepoint("complete_follow_up")
	try:
		mark_event_completed(doc)
		doc.contact_by = next_contact_by
		doc.contact_date = next_contact_date
		doc.save()
	except Exception:
		frappe.db.rollback(save_point="complete_follow_up")
		raise
	add_completion_comment(doc, done_by, done_for, note)


def parse_completion_arguments(note, next_contact_by, next_contact_date):
	"""The arguments typed as expected, or a ValidationError naming the one that is not."""
	for argument, value in (
		("note", note),
		("next_contact_by", next_contact_by),
		("next_contact_date", next_contact_date),
	):
		if value is not None and not isinstance(value, str):
			frappe.throw(_("{0} must be text").format(argument), frappe.ValidationError)
	note = (note or "").strip() or None
	next_contact_by = (next_contact_by or "").strip() or None
	if next_contact_date:
		try:
			next_contact_date = get_datetime(next_contact_date)
		except Exception:
			frappe.throw(
				_("next_contact_date: {0} is not a date and time").format(
					frappe.bold(as_html_text(next_contact_date))
				),
				frappe.ValidationError,
			)
	else:
		next_contact_date = None
	if bool(next_contact_by) != bool(next_contact_date):
		frappe.throw(
			_(
				"next_contact_by and next_contact_date come together: give both for a next follow-up, or neither"
			),
			frappe.ValidationError,
			title=_("Incomplete Follow-up"),
		)
	return note, next_contact_by, next_contact_date


def mark_event_completed(doc) -> None:
	"""The follow-up's Event, if it has one and it is still open, becomes Completed. Locks the
	Pipeline Follow Up row after the document's (the app's lock order)."""
	follow_up = lock_follow_up(doc.doctype, doc.name)
	if follow_up.event and frappe.db.get_value("Event", follow_up.event, "status") == "Open":
		frappe.db.set_value("Event", follow_up.event, "status", "Completed")


def add_completion_comment(doc, done_by: str, done_for, note: str | None) -> None:
	text = _("Follow-up done: {0} at {1}").format(
		frappe.bold(as_html_text(frappe.utils.get_fullname(done_by))),
		format_datetime(done_for, "dd MMM yyyy HH:mm"),
	)
	if note:
		text += "<br>" + as_html_text(note).replace("\n", "<br>")
	doc.add_comment("Comment", text)


def complete_follow_up_from_event(event, method=None) -> None:
	"""Event on_update (hooks.doc_events): the user marked a follow-up Event Completed in the
	calendar or the Event form. Its document's follow-up is done, as with "Follow-up done" and no
	next follow-up. Only the document's current Event counts: a Completed one kept as history, or
	an Event a user made, does nothing.

	The Event's row is locked first here (by its save), against the app's lock order; a "Follow-up
	done" on the form at the same moment may make the database pick one of the two as a deadlock
	victim: the form's call is retried and then finds nothing left to complete."""
	if not event.get(EVENT_MARKER_FIELD) or event.status != "Completed":
		return
	if not event.has_value_changed("status"):
		return
	follow_up = frappe.db.get_value(
		"Pipeline Follow Up", {"event": event.name}, ["reference_doctype", "reference_name"], as_dict=True
	)
	if not follow_up:
		return
	doc = frappe.get_doc(follow_up.reference_doctype, follow_up.reference_name, for_update=True)
	if not has_open_follow_up(doc):
		return
	if not doc.has_permission("write"):
		frappe.throw(
			_("You cannot mark this follow-up done: you may not edit {0} {1}").format(
				_(doc.doctype), frappe.bold(doc.name)
			),
			frappe.PermissionError,
		)
	done_by, done_for = doc.contact_by, doc.contact_date
	doc.contact_by = None
	doc.contact_date = None
	doc.save()
	add_completion_comment(doc, done_by, done_for, None)
