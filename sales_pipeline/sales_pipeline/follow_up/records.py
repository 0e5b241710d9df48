"""What every part of the follow-ups shares: which documents carry one, when a follow-up is
open, and the one `Pipeline Follow Up` row per document that records its Event and the
notifications sent for it.

A unique key on (reference_doctype, reference_name) and row locks on it make two saves, or two
scheduler runs at the same time, create neither a second Event nor a second notification. Lock
order (locking.py): the document's row, then its Pipeline Follow Up row, then the Event.
"""

import html

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.query_builder import DocType
from frappe.utils import escape_html, now, strip_html

FOLLOW_UP_DOCTYPES = ("Pipeline Opportunity", "Pipeline Lead")


# A document in one of these statuses has no open follow-up: its Event is removed.
CLOSED_STATUSES = {
	"Pipeline Opportunity": ("Converted", "Lost", "Closed"),
	"Pipeline Lead": ("Converted", "Do Not Contact"),
}


# Saving a document touches its Event only when one of these changed.
EVENT_FIELDS = ("contact_by", "contact_date", "to_discuss", "status", "title")


# Far enough for any plan, near enough that the Event's end and the calendar's dates stay valid.
LATEST_FOLLOW_UP = "3000-01-01 00:00:00"


# Marks the Events the app made (a Check custom field on Event): deleting a document deletes
# those, never an Event a user made that merely lists the document as a participant.
EVENT_MARKER_FIELD = "sales_pipeline_follow_up"


def as_html_text(value: str | None) -> str:
	"""A document value, shown as text inside HTML. Frappe stores text with markup partly sanitized
	(allowed tags kept, others escaped), so reduce it to the plain text the user typed, then escape
	it once: no tag from the value reaches the page, and nothing is escaped twice."""
	return escape_html(html.unescape(strip_html(value or "")))


def has_open_follow_up(doc) -> bool:
	return bool(doc.contact_by and doc.contact_date and doc.status not in CLOSED_STATUSES[doc.doctype])


def lock_follow_up(doctype: str, name: str, exists: bool = False) -> frappe._dict:
	"""The document's Pipeline Follow Up row, created if missing, locked until the transaction ends.
	With `exists` (the caller has seen the row, and rows go only with their document) it is not
	inserted first. The row is inserted before it is read: a locking read of a missing row would
	lock a gap of the unique index, and two transactions inserting into one gap deadlock."""
	if not exists:
		insert_follow_up(doctype, name, ignore_existing=True)
	row = read_follow_up(doctype, name)
	if row is None:  # seen by the caller, gone since (the app uninstalled meanwhile)
		insert_follow_up(doctype, name, ignore_existing=True)
		row = read_follow_up(doctype, name)
	return row


def insert_follow_up(doctype: str, name: str, ignore_existing: bool = False, **values) -> bool:
	"""Insert the document's Pipeline Follow Up row with `values`. When the document has one
	already, nothing is inserted and False is returned (with `ignore_existing`, None either way)."""
	FollowUp = DocType("Pipeline Follow Up")
	timestamp, user = now(), frappe.session.user
	query = (
		frappe.qb.into(FollowUp)
		.columns(
			"name",
			"reference_doctype",
			"reference_name",
			"owner",
			"modified_by",
			"creation",
			"modified",
			*values,
		)
		.insert(
			frappe.generate_hash(length=12), doctype, name, user, user, timestamp, timestamp, *values.values()
		)
	)
	if ignore_existing:
		query.ignore().run()
		return None
	try:
		query.run()
	except Exception as exc:
		if frappe.db.is_duplicate_entry(exc):
			return False
		raise
	return True


def read_follow_up(doctype: str, name: str) -> frappe._dict | None:
	FollowUp = DocType("Pipeline Follow Up")
	rows = (
		frappe.qb.from_(FollowUp)
		.select(
			FollowUp.name,
			FollowUp.event,
			FollowUp.notified_user,
			FollowUp.notified_contact_date,
			FollowUp.overdue_notified_user,
			FollowUp.overdue_notified_contact_date,
		)
		.where(FollowUp.reference_doctype == doctype)
		.where(FollowUp.reference_name == name)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def set_follow_up_values(follow_up_name: str, **values) -> None:
	FollowUp = DocType("Pipeline Follow Up")
	query = frappe.qb.update(FollowUp).set(FollowUp.modified, now()).where(FollowUp.name == follow_up_name)
	for fieldname, value in values.items():
		query = query.set(FollowUp[fieldname], value)
	query.run()


def lock_document_follow_up(doctype: str, name: str) -> frappe._dict | None:
	"""The document's follow-up as last committed (and its owner), with the document's row locked
	until the transaction ends (the lock a save of the document takes first)."""
	Doc = DocType(doctype)
	rows = (
		frappe.qb.from_(Doc)
		.select(Doc.name, Doc.owner, Doc.title, Doc.status, Doc.contact_by, Doc.contact_date, Doc.to_discuss)
		.where(Doc.name == name)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def create_event_marker_field() -> None:
	"""after_install / after_migrate: the hidden Check on Event that marks the Events the app made."""
	create_custom_fields(
		{
			"Event": [
				{
					"fieldname": EVENT_MARKER_FIELD,
					"fieldtype": "Check",
					"label": "Sales Pipeline Follow-up",
					"insert_after": "status",
					"hidden": 1,
					"read_only": 1,
					"no_copy": 1,
				}
			]
		},
		ignore_validate=True,
	)


def delete_all_follow_up_records() -> None:
	"""On uninstall: the Events, notifications and rows the app made, and the participant rows of
	other Events that point at the app's documents, so that nothing left on the site points at the
	DocTypes the uninstall drops."""
	events = frappe.get_all("Pipeline Follow Up", filters={"event": ("is", "set")}, pluck="event")
	frappe.db.delete("Pipeline Follow Up")
	for event in events:
		if frappe.db.exists("Event", event):
			# Uninstall runs as the administrator removing the app; the Events are the app's own,
			# owned by the users they remind.
			frappe.delete_doc("Event", event, ignore_permissions=True, force=True, delete_permanently=True)
	frappe.db.delete(
		"Event Participants", {"parenttype": "Event", "reference_doctype": ("in", FOLLOW_UP_DOCTYPES)}
	)
	frappe.db.delete("Notification Log", {"document_type": ("in", FOLLOW_UP_DOCTYPES)})
	for custom_field in frappe.get_all(
		"Custom Field", filters={"dt": "Event", "fieldname": EVENT_MARKER_FIELD}, pluck="name"
	):
		# The app's own marker field, removed with the app by whoever uninstalls it.
		frappe.delete_doc("Custom Field", custom_field, ignore_permissions=True)
