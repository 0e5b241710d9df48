"""The follow-up's Private Event in the Next Contact By user's calendar.

The app owns these Events. A Sales User may change the follow-up of someone else's document but
may not write an Event someone else owns, so the Events are written here with
ignore_permissions, only ever as the consequence of a document save the user was allowed to make.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import add_to_date, cint, escape_html, get_absolute_url, get_datetime

from sales_pipeline.sales_pipeline.follow_up.records import (
	EVENT_FIELDS,
	EVENT_MARKER_FIELD,
	as_html_text,
	has_open_follow_up,
	lock_follow_up,
	set_follow_up_values,
)


def sync_follow_up_event(doc) -> None:
	"""After a save: put the follow-up's Event at its user and time, or remove the open Event when
	the follow-up was cleared or the document closed, lost or converted."""
	previous = doc.get_doc_before_save()
	if previous and not any(doc.has_value_changed(fieldname) for fieldname in EVENT_FIELDS):
		return
	if has_open_follow_up(doc):
		follow_up = lock_follow_up(doc.doctype, doc.name)
		event = get_event_state([follow_up.event], for_update=True).get(follow_up.event)
		put_event(doc.doctype, doc, follow_up, event)
	elif previous and has_open_follow_up(previous):
		remove_open_event(doc.doctype, doc.name)


def delete_follow_up(doc) -> None:
	"""Before the document is deleted: delete the Events the app made for it, its participant rows
	in other Events (a user's own Event that lists it stays), its notifications and its row."""
	EventParticipants, Event = DocType("Event Participants"), DocType("Event")
	participations = (
		frappe.qb.from_(EventParticipants)
		.join(Event)
		.on(Event.name == EventParticipants.parent)
		.select(
			EventParticipants.name, EventParticipants.parent, Event[EVENT_MARKER_FIELD].as_("made_by_app")
		)
		.where(EventParticipants.parenttype == "Event")
		.where(EventParticipants.reference_doctype == doc.doctype)
		.where(EventParticipants.reference_docname == doc.name)
		.run(as_dict=True)
	)
	follow_up = frappe.db.get_value(
		"Pipeline Follow Up",
		{"reference_doctype": doc.doctype, "reference_name": doc.name},
		["name", "event"],
	)
	app_events = {row.parent for row in participations if row.made_by_app}
	if follow_up:
		frappe.db.delete("Pipeline Follow Up", {"name": follow_up[0]})
		if follow_up[1]:
			app_events.add(follow_up[1])
	for participation in participations:
		if participation.parent not in app_events:
			frappe.db.delete("Event Participants", {"name": participation.name})
	for event in app_events:
		delete_follow_up_event(event)
	frappe.db.delete("Notification Log", {"document_type": doc.doctype, "document_name": doc.name})


def get_event_state(event_names, for_update: bool = False) -> dict[str, frappe._dict]:
	"""The owner, time and subject of the given Events that exist, by name, in one query. With
	`for_update`, a locking read: what concurrent writers committed, not the transaction's older
	snapshot (a writer that waited for the follow-up's row lock must see the Event the other made)."""
	event_names = [name for name in event_names if name]
	if not event_names:
		return {}
	Event = DocType("Event")
	query = (
		frappe.qb.from_(Event)
		.select(
			Event.name,
			Event.owner,
			Event.starts_on,
			Event.ends_on,
			Event.subject,
			Event.description,
			Event.status,
		)
		.where(Event.name.isin(event_names))
	)
	if for_update:
		query = query.for_update()
	return {event.name: event for event in query.run(as_dict=True)}


def get_event_values(doctype: str, follow_up) -> dict:
	"""Subject, description and times of the Event of `follow_up` (a document, or a row with its
	name, title, contact_by, contact_date and to_discuss). Every value from the document is
	escaped: it is shown as HTML in the calendar and the Event form."""
	starts_on = get_datetime(follow_up.contact_date)
	duration = cint(frappe.db.get_single_value("Pipeline Settings", "follow_up_event_duration"))
	description = _("Follow up on {0}").format(get_relative_link_to_form(doctype, follow_up.name))
	if follow_up.to_discuss:
		description += "<br>" + _("To discuss: {0}").format(as_html_text(follow_up.to_discuss))
	return {
		"subject": _("Follow up: {0}").format(as_html_text(follow_up.title or follow_up.name)),
		"description": description,
		"starts_on": starts_on,
		"ends_on": add_to_date(starts_on, minutes=duration) if duration > 0 else None,
	}


def get_relative_link_to_form(doctype: str, name: str) -> str:
	"""A link to the document that works on whatever host the site is opened by. An absolute one
	would be built from the Host header of the request that saved the follow-up."""
	return f'<a href="{escape_html(get_absolute_url(doctype, name))}">{escape_html(name)}</a>'


def put_event(doctype: str, follow_up, follow_up_row, event, record: bool = True) -> str:
	"""Create the follow-up's Event, or move the existing one to the follow-up's user and time.
	`event` is the existing Event's state from get_event_state, or None. A new Event is recorded on
	the Pipeline Follow Up row unless `record` is off (the caller then records it). Returns the
	Event's name."""
	values = get_event_values(doctype, follow_up)
	user = follow_up.contact_by
	if event and event.status != "Open":
		if event.owner == user and event.starts_on == values["starts_on"]:
			return event.name  # this follow-up was already done
		event = None  # a new follow-up gets a new Event; the done one stays as history
	if event:
		changed = {key: value for key, value in values.items() if event.get(key) != value}
		if changed:
			# Written to the row get_event_state read with a lock, not through frappe.get_doc: its
			# plain read sees the transaction's snapshot, where an Event another request committed
			# while this one waited for the follow-up's lock does not exist yet ("Event ... not
			# found", seen in the load test). The app's Events have nothing that follows these fields
			# (no timeline communication, no calendar sync), and the values are valid (ends after it
			# starts). The Event belongs to the Next Contact By user, not to whoever saved the
			# document; it moves only with a save the user was allowed to make, or with the job.
			frappe.db.set_value("Event", event.name, changed)
		if event.owner != user:
			# Moved to another user: it leaves the previous user's calendar.
			frappe.db.set_value("Event", event.name, "owner", user, update_modified=False)
		return event.name

	event_doc = frappe.get_doc(
		{
			"doctype": "Event",
			"event_type": "Private",
			"event_category": "Call",
			# The app sends its own reminder on the day; Frappe's event digest would repeat it.
			"send_reminder": 0,
			EVENT_MARKER_FIELD: 1,
			**values,
			"event_participants": [{"reference_doctype": doctype, "reference_docname": follow_up.name}],
		}
	)
	# The Event belongs in the Next Contact By user's calendar, not in the calendar of whoever saved.
	event_doc.flags.follow_up_owner = user
	# Made for a save the user was allowed to make (or by the scheduler's job), owned by another user.
	event_doc.insert(ignore_permissions=True)
	if record:
		set_follow_up_values(follow_up_row.name, event=event_doc.name)
	return event_doc.name


def set_follow_up_event_owner(event, method=None) -> None:
	"""Event before_insert (hooks.doc_events): Frappe makes the session user the owner of a new
	document; a follow-up Event is owned by its Next Contact By user from the start."""
	if event.flags.follow_up_owner:
		event.owner = event.flags.follow_up_owner


def remove_open_event(doctype: str, name: str) -> None:
	"""Remove the follow-up's Event while it is still open; a Completed or Closed one stays as history."""
	# A locking read, which sees a row another writer has just committed (a plain read would not,
	# and would leave its Event open). Only called for a document that had a follow-up, so the
	# row exists and no gap of the unique index gets locked.
	follow_up = frappe.db.get_value(
		"Pipeline Follow Up",
		{"reference_doctype": doctype, "reference_name": name},
		["name", "event"],
		as_dict=True,
		for_update=True,
	)
	if not (follow_up and follow_up.event):
		return
	set_follow_up_values(follow_up.name, event=None)
	if frappe.db.get_value("Event", follow_up.event, "status", for_update=True) == "Open":
		delete_follow_up_event(follow_up.event)


def delete_follow_up_event(name: str) -> None:
	"""Delete an Event the app made, whose row the caller has locked. Not through frappe.delete_doc:
	it first checks that the Event exists with a plain read, from the transaction's snapshot, and
	quietly does nothing when the Event was committed by another request after that snapshot was
	taken (a follow-up set while this request waited for the document's lock). The app's Events
	have nothing else hanging off them but their participant rows and comments."""
	frappe.db.delete("Event Participants", {"parenttype": "Event", "parent": name})
	frappe.db.delete("Comment", {"reference_doctype": "Event", "reference_name": name})
	frappe.db.delete("Event", {"name": name})
