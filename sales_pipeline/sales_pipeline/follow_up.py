"""Follow-ups: "Next Contact By" + "Next Contact Date" on a Pipeline Lead or Pipeline Opportunity.

On save, a follow-up gets one Private Event in the Next Contact By user's calendar. On the day,
the scheduler gives that user one notification in their bell for it (and an email when Pipeline
Settings asks for one).

The app owns these Events. A Sales User may change the follow-up of someone else's document but
may not write an Event someone else owns, so the Events are written here with
ignore_permissions, only ever as the consequence of a document save the user was allowed to make.

One `Pipeline Follow Up` row per document records its Event and the follow-up it last notified.
A unique key on (reference_doctype, reference_name) and row locks on it make two saves, or two
scheduler runs at the same time, create neither a second Event nor a second notification.
"""

import html

import frappe
from frappe import _
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.query_builder import DocType
from frappe.utils import (
	add_days,
	add_to_date,
	cint,
	escape_html,
	format_datetime,
	get_absolute_url,
	get_datetime,
	get_link_to_form,
	now,
	now_datetime,
	nowdate,
	strip_html,
)

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


# Validation -------------------------------------------------------------------------------------


def validate_follow_up(doc) -> None:
	"""Next Contact By and Next Contact Date come together, name an enabled desk user who can open
	the document, and a date not in the past. The user and date are checked only when one of them
	changes, so an old follow-up never blocks an unrelated edit."""
	if not doc.contact_by and not doc.contact_date:
		return
	by_label, date_label = _(doc.meta.get_label("contact_by")), _(doc.meta.get_label("contact_date"))
	if not doc.contact_by:
		frappe.throw(
			_("{0} is required when {1} is set").format(by_label, date_label),
			frappe.ValidationError,
			title=_("Incomplete Follow-up"),
		)
	if not doc.contact_date:
		frappe.throw(
			_("{0} is required when {1} is set").format(date_label, by_label),
			frappe.ValidationError,
			title=_("Incomplete Follow-up"),
		)

	date_changed = doc.has_value_changed("contact_date")
	if date_changed or doc.has_value_changed("contact_by"):
		validate_follow_up_user(doc, by_label)
	if date_changed and get_datetime(doc.contact_date) > get_datetime(LATEST_FOLLOW_UP):
		frappe.throw(
			_("{0} must be before {1}").format(date_label, LATEST_FOLLOW_UP[:4]),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	# Times are picked to the minute; the current minute still counts as now.
	if date_changed and get_datetime(doc.contact_date) < now_datetime().replace(second=0, microsecond=0):
		frappe.throw(
			_("{0} cannot be in the past").format(date_label),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)


def validate_follow_up_user(doc, label: str) -> None:
	user = frappe.db.get_value("User", doc.contact_by, ["enabled", "user_type"], as_dict=True)
	if not user or doc.contact_by == "Guest" or user.user_type != "System User":
		frappe.throw(
			_("{0}: {1} is not a desk user and cannot follow up").format(label, frappe.bold(doc.contact_by)),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	if not user.enabled:
		frappe.throw(
			_("{0}: user {1} is disabled").format(label, frappe.bold(doc.contact_by)),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	if not frappe.has_permission(doc.doctype, "read", doc=doc, user=doc.contact_by):
		frappe.throw(
			_("{0}: {1} has no access to this {2}").format(
				label, frappe.bold(doc.contact_by), _(doc.doctype)
			),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)


def as_html_text(value: str | None) -> str:
	"""A document value, shown as text inside HTML. Frappe stores text with markup partly sanitized
	(allowed tags kept, others escaped), so reduce it to the plain text the user typed, then escape
	it once: no tag from the value reaches the page, and nothing is escaped twice."""
	return escape_html(html.unescape(strip_html(value or "")))


# The Event of a follow-up ---------------------------------------------------------------------


def has_open_follow_up(doc) -> bool:
	return bool(doc.contact_by and doc.contact_date and doc.status not in CLOSED_STATUSES[doc.doctype])


def sync_follow_up_event(doc) -> None:
	"""After a save: put the follow-up's Event at its user and time, or remove the open Event when
	the follow-up was cleared or the document closed, lost or converted."""
	previous = doc.get_doc_before_save()
	if previous and not any(doc.has_value_changed(fieldname) for fieldname in EVENT_FIELDS):
		return
	if has_open_follow_up(doc):
		follow_up = lock_follow_up(doc.doctype, doc.name)
		event = get_event_state([follow_up.event]).get(follow_up.event)
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
		if frappe.db.exists("Event", event):
			frappe.delete_doc("Event", event, ignore_permissions=True, force=True, delete_permanently=True)
	frappe.db.delete("Notification Log", {"document_type": doc.doctype, "document_name": doc.name})


def lock_follow_up(doctype: str, name: str) -> frappe._dict:
	"""The document's Pipeline Follow Up row, created if missing, locked until the transaction ends."""
	FollowUp = DocType("Pipeline Follow Up")
	timestamp, user = now(), frappe.session.user
	(
		frappe.qb.into(FollowUp)
		.columns(
			"name", "reference_doctype", "reference_name", "owner", "modified_by", "creation", "modified"
		)
		.insert(frappe.generate_hash(length=12), doctype, name, user, user, timestamp, timestamp)
		.ignore()
		.run()
	)
	return (
		frappe.qb.from_(FollowUp)
		.select(FollowUp.name, FollowUp.event, FollowUp.notified_user, FollowUp.notified_contact_date)
		.where(FollowUp.reference_doctype == doctype)
		.where(FollowUp.reference_name == name)
		.for_update()
		.run(as_dict=True)
	)[0]


def set_follow_up_values(follow_up_name: str, **values) -> None:
	FollowUp = DocType("Pipeline Follow Up")
	query = frappe.qb.update(FollowUp).set(FollowUp.modified, now()).where(FollowUp.name == follow_up_name)
	for fieldname, value in values.items():
		query = query.set(FollowUp[fieldname], value)
	query.run()


def get_event_state(event_names) -> dict[str, frappe._dict]:
	"""The owner, time and subject of the given Events that exist, by name, in one query."""
	event_names = [name for name in event_names if name]
	if not event_names:
		return {}
	return {
		event.name: event
		for event in frappe.get_all(
			"Event",
			filters={"name": ("in", event_names)},
			fields=["name", "owner", "starts_on", "ends_on", "subject", "description", "status"],
		)
	}


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
		if any(event.get(key) != value for key, value in values.items()):
			event_doc = frappe.get_doc("Event", event.name)
			event_doc.update(values)
			event_doc.save(ignore_permissions=True)
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
	# Find the row first and lock it by its name: a locking read of a missing key would lock the
	# gap in the unique index, where a concurrent insert of another document's row then deadlocks.
	follow_up_name = frappe.db.get_value(
		"Pipeline Follow Up", {"reference_doctype": doctype, "reference_name": name}
	)
	if not follow_up_name:
		return
	follow_up = frappe.db.get_value(
		"Pipeline Follow Up", follow_up_name, ["name", "event"], as_dict=True, for_update=True
	)
	if not (follow_up and follow_up.event):
		return
	set_follow_up_values(follow_up.name, event=None)
	if frappe.db.get_value("Event", follow_up.event, "status") == "Open":
		frappe.delete_doc("Event", follow_up.event, ignore_permissions=True, delete_permanently=True)


# On the day ------------------------------------------------------------------------------------


def send_follow_up_reminders() -> None:
	"""Scheduler job: remind every Next Contact By user of the follow-ups due today."""
	run_follow_up_reminders(commit=True)


def run_follow_up_reminders(commit: bool = False) -> frappe._dict:
	"""For every open lead and opportunity with a follow-up due today (in the system time zone)
	not yet notified: make sure its Event exists, give its user one notification, and an email
	when Pipeline Settings asks for it. A record that fails is written to the Error Log and
	skipped. With `commit`, each record is committed on its own, as the scheduler wants it.
	Returns how many were notified, how many Events were made and how many failed."""
	return FollowUpReminders(commit).run()


class FollowUpReminders:
	"""One run of the day's reminders."""

	def __init__(self, commit: bool):
		self.commit = commit
		self.day_start = get_datetime(nowdate())
		self.day_end = add_days(self.day_start, 1)
		self.send_email = cint(frappe.db.get_single_value("Pipeline Settings", "send_follow_up_email"))
		self.result = frappe._dict(notified=0, events_created=0, failed=0)
		# Read once per DocType for all its due follow-ups.
		self.users_without_notifications: set[str] = set()

	def run(self) -> frappe._dict:
		for doctype in FOLLOW_UP_DOCTYPES:
			due = get_due_follow_ups(doctype, self.day_start, self.day_end)
			self.users_without_notifications = get_users_without_notifications(
				{row.contact_by for row in due}
			)
			for row in due:
				if self.commit:
					# Each reminder is its own transaction, whose reads start after it has locked
					# its document: what it acts on is what users committed until then.
					frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
				self.remind_or_log_error(doctype, row.name)
			if self.commit:
				frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
		return self.result

	def remind_or_log_error(self, doctype: str, name: str) -> None:
		"""A run racing another one may be picked as a deadlock victim by the database, which then
		rolls the record's transaction back: the record is tried again. Any other failure is rolled
		back to before the record, written to the Error Log, and skipped."""
		attempts = 3 if self.commit else 1
		for attempt in range(1, attempts + 1):
			frappe.db.savepoint("pipeline_follow_up")
			try:
				self.remind(doctype, name)
				return
			except Exception as exc:
				if isinstance(exc, frappe.QueryDeadlockError | frappe.QueryTimeoutError):
					frappe.db.rollback()  # the database has already undone the whole transaction
					if attempt < attempts:
						continue
				else:
					frappe.db.rollback(save_point="pipeline_follow_up")
				self.result.failed += 1
				frappe.log_error(
					title=_("Follow-up reminder failed for {0} {1}").format(doctype, name),
					reference_doctype=doctype,
					reference_name=name,
				)
				return

	def remind(self, doctype: str, name: str) -> None:
		"""Lock the document (a save of it takes the same lock), read its follow-up as it is now, and
		act on that: a follow-up cleared, moved to another day or to another user since the due
		list was read is not reminded from the stale list."""
		row = lock_document_follow_up(doctype, name)
		if not (row and is_due(doctype, row, self.day_start, self.day_end)):
			return
		follow_up = lock_follow_up(doctype, name)
		if follow_up.notified_user == row.contact_by and follow_up.notified_contact_date == row.contact_date:
			return  # another run notified it while this one waited for the lock
		if not frappe.has_permission(doctype, "read", doc=name, user=row.contact_by):
			if not frappe.db.exists("User", row.contact_by):
				frappe.throw(_("Next Contact By: user {0} does not exist").format(row.contact_by))
			# The user lost access to the document: no reminder (it would show its title and what to
			# discuss) and no Event in their calendar. Recorded as handled, so it is not retried.
			remove_open_event(doctype, name)
			set_follow_up_values(
				follow_up.name, notified_user=row.contact_by, notified_contact_date=row.contact_date
			)
			return
		event = get_event_state([follow_up.event]).get(follow_up.event)
		event_name = put_event(doctype, row, follow_up, event, record=False)

		notification_log = None
		if row.contact_by not in self.users_without_notifications:
			notification_log = make_notification(doctype, row)
		if self.send_email:
			self.send_email_or_log_error(doctype, row)
		set_follow_up_values(
			follow_up.name,
			event=event_name,
			notified_user=row.contact_by,
			notified_contact_date=row.contact_date,
			notification_log=notification_log,
		)
		self.result.notified += 1
		if not event or event.name != event_name:
			self.result.events_created += 1

	def send_email_or_log_error(self, doctype: str, row) -> None:
		"""The email is extra: when it cannot be queued (no outgoing account, a mail server that
		fails), it is undone alone and logged; the bell notification and the Event stay."""
		frappe.db.savepoint("pipeline_follow_up_email")
		try:
			send_follow_up_email(doctype, row)
		except Exception:
			frappe.db.rollback(save_point="pipeline_follow_up_email")
			frappe.log_error(
				title=_("Follow-up email not sent for {0} {1}").format(doctype, row.name),
				reference_doctype=doctype,
				reference_name=row.name,
			)


def lock_document_follow_up(doctype: str, name: str) -> frappe._dict | None:
	"""The document's follow-up as last committed, with the document's row locked until the
	transaction ends (the lock a save of the document takes first)."""
	Doc = DocType(doctype)
	rows = (
		frappe.qb.from_(Doc)
		.select(Doc.name, Doc.title, Doc.status, Doc.contact_by, Doc.contact_date, Doc.to_discuss)
		.where(Doc.name == name)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def is_due(doctype: str, row, day_start, day_end) -> bool:
	return bool(
		row.contact_by
		and row.contact_date
		and day_start <= get_datetime(row.contact_date) < day_end
		and row.status not in CLOSED_STATUSES[doctype]
	)


def get_due_follow_ups(doctype: str, day_start, day_end) -> list[frappe._dict]:
	"""The open documents with a follow-up due between day_start and day_end that were not yet
	notified for that user and time: one query on the indexed contact_date."""
	Doc, FollowUp = DocType(doctype), DocType("Pipeline Follow Up")
	return (
		frappe.qb.from_(Doc)
		.left_join(FollowUp)
		.on((FollowUp.reference_doctype == doctype) & (FollowUp.reference_name == Doc.name))
		.select(Doc.name, Doc.title, Doc.contact_by, Doc.contact_date, Doc.to_discuss, FollowUp.event)
		.where(Doc.contact_date >= day_start)
		.where(Doc.contact_date < day_end)
		.where(Doc.contact_by.isnotnull())
		.where(Doc.status.notin(CLOSED_STATUSES[doctype]))
		.where(
			FollowUp.notified_user.isnull()
			| (FollowUp.notified_user != Doc.contact_by)
			| (FollowUp.notified_contact_date != Doc.contact_date)
		)
		.orderby(Doc.name)
		.run(as_dict=True)
	)


def get_users_without_notifications(users) -> set[str]:
	"""The users who turned their notifications off (Notification Settings), in one query."""
	if not users:
		return set()
	return set(
		frappe.get_all(
			"Notification Settings", filters={"name": ("in", list(users)), "enabled": 0}, pluck="name"
		)
	)


def get_reminder_subject(doctype: str, row) -> str:
	return _("Follow up today at {0}: {1} ({2} {3})").format(
		format_datetime(row.contact_date, "HH:mm"),
		frappe.bold(as_html_text(row.title or row.name)),
		_(doctype),
		as_html_text(row.name),
	)


def make_notification(doctype: str, row) -> str:
	notification = frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": row.contact_by,
			"type": "Alert",
			"document_type": doctype,
			"document_name": row.name,
			"subject": get_reminder_subject(doctype, row),
			"email_content": as_html_text(row.to_discuss),
		}
	)
	notification.insert(ignore_permissions=True)
	return notification.name


def send_follow_up_email(doctype: str, row) -> None:
	subject = get_reminder_subject(doctype, row)
	message = subject
	if row.to_discuss:
		message += "<br><br>" + _("To discuss: {0}").format(as_html_text(row.to_discuss))
	message += "<br><br>" + get_link_to_form(doctype, row.name)
	frappe.sendmail(
		recipients=[frappe.db.get_value("User", row.contact_by, "email") or row.contact_by],
		subject=strip_html(subject),
		message=message,
		reference_doctype=doctype,
		reference_name=row.name,
	)


# Calendar and "my follow-ups" -------------------------------------------------------------------


@frappe.whitelist()
def get_follow_up_calendar_events(
	doctype: str,
	start: str,
	end: str,
	field_map: str | None = None,
	filters: str | list | None = None,
	fields: str | list | None = None,
) -> list[dict]:
	"""The follow-ups between start and end the user may read, for the calendar views of
	Pipeline Opportunity and Pipeline Lead."""
	if doctype not in FOLLOW_UP_DOCTYPES:
		frappe.throw(_("{0} has no follow-ups").format(frappe.bold(doctype)), frappe.ValidationError)
	frappe.has_permission(doctype, "read", throw=True)
	try:
		start, end = get_datetime(start), get_datetime(end)
	except Exception:
		frappe.throw(
			_("Start and end must be dates, got {0} and {1}").format(start, end), frappe.ValidationError
		)
	filters = parse_calendar_filters(doctype, filters)
	return frappe.get_list(
		doctype,
		fields=["name", "title", "contact_by", "contact_date", "status"],
		filters=[
			*filters,
			[doctype, "contact_date", ">=", start],
			[doctype, "contact_date", "<=", end],
			[doctype, "contact_by", "is", "set"],
		],
		order_by="contact_date asc",
		limit_page_length=0,
	)


def parse_calendar_filters(doctype: str, filters) -> list[list]:
	"""The calendar's filters as [[doctype, field, operator, value], ...] on fields of `doctype`,
	or a ValidationError naming the argument: another DocType's table or a field that does not
	exist would otherwise reach the database as a SQL error."""
	try:
		filters = frappe.parse_json(filters) or []
	except ValueError:
		filters = None
	if isinstance(filters, dict):
		filters = [[doctype, key, "=", value] for key, value in filters.items()]
	if not isinstance(filters, list):
		frappe.throw(_("filters must be a list or a dict of conditions"), frappe.ValidationError)
	meta = frappe.get_meta(doctype)
	parsed = []
	for condition in filters:
		if isinstance(condition, list | tuple) and len(condition) == 3:
			condition = [doctype, *condition]
		if not (isinstance(condition, list | tuple) and len(condition) == 4):
			frappe.throw(
				_("filters: {0} is not a condition [field, operator, value]").format(
					frappe.bold(escape_html(str(condition)))
				),
				frappe.ValidationError,
			)
		filter_doctype, fieldname, operator, value = condition
		if filter_doctype != doctype or not isinstance(fieldname, str) or not meta.has_field(fieldname):
			frappe.throw(
				_("filters: {0} is not a field of {1}").format(
					frappe.bold(escape_html(f"{filter_doctype}.{fieldname}")), _(doctype)
				),
				frappe.ValidationError,
			)
		if not isinstance(operator, str) or isinstance(value, dict):
			frappe.throw(
				_("filters: the condition on {0} is not valid").format(frappe.bold(fieldname)),
				frappe.ValidationError,
			)
		parsed.append([doctype, fieldname, operator, value])
	return parsed


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
			frappe.delete_doc("Event", event, ignore_permissions=True, force=True, delete_permanently=True)
	frappe.db.delete(
		"Event Participants", {"parenttype": "Event", "reference_doctype": ("in", FOLLOW_UP_DOCTYPES)}
	)
	frappe.db.delete("Notification Log", {"document_type": ("in", FOLLOW_UP_DOCTYPES)})
	for custom_field in frappe.get_all(
		"Custom Field", filters={"dt": "Event", "fieldname": EVENT_MARKER_FIELD}, pluck="name"
	):
		frappe.delete_doc("Custom Field", custom_field, ignore_permissions=True)
