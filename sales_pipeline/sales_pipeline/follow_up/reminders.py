"""The scheduler job: on the day, one notification (and an optional email) per follow-up; after
the day, if it was neither done nor moved, one "overdue" notification.

Each is sent at most once per (user, Next Contact Date): the `Pipeline Follow Up` row of the
document (unique per document) records what was sent, and is read and written under its row lock,
taken after the document's row lock (the lock a save of the document takes first)."""

import frappe
from frappe import _
from frappe.permissions import get_user_permissions
from frappe.query_builder import DocType
from frappe.utils import add_days, cint, format_datetime, get_datetime, get_link_to_form, nowdate, strip_html

from sales_pipeline.sales_pipeline.follow_up.event import get_event_state, put_event, remove_open_event
from sales_pipeline.sales_pipeline.follow_up.records import (
	CLOSED_STATUSES,
	FOLLOW_UP_DOCTYPES,
	as_html_text,
	insert_follow_up,
	lock_document_follow_up,
	lock_follow_up,
	set_follow_up_values,
)


class FollowUpRowMade(Exception):
	"""The document got its Pipeline Follow Up row after the due list was read."""


def send_follow_up_reminders() -> None:
	"""Scheduler job: remind every Next Contact By user of the follow-ups due today, and of those
	whose day passed without being done."""
	run_follow_up_reminders(commit=True)


def run_follow_up_reminders(commit: bool = False) -> frappe._dict:
	"""For every open lead and opportunity with a follow-up due today (in the system time zone)
	not yet notified: make sure its Event exists, give its user one notification, and an email
	when Pipeline Settings asks for it. A record that fails is written to the Error Log and
	skipped. Then, for every open follow-up whose day has passed and whose user was not yet told,
	one "overdue" notification. With `commit`, each record is committed on its own, as the
	scheduler wants it. Returns how many were notified, how many overdue, how many Events were made
	and how many failed."""
	return FollowUpReminders(commit).run()


class FollowUpReminders:
	"""One run of the day's reminders."""

	def __init__(self, commit: bool):
		self.commit = commit
		self.day_start = get_datetime(nowdate())
		self.day_end = add_days(self.day_start, 1)
		self.send_email = cint(frappe.db.get_single_value("Pipeline Settings", "send_follow_up_email"))
		self.result = frappe._dict(notified=0, overdue_notified=0, events_created=0, failed=0)
		# Read once per DocType for all its due follow-ups.
		self.users_without_notifications: set[str] = set()

	def run(self) -> frappe._dict:
		for doctype in FOLLOW_UP_DOCTYPES:
			due = get_due_follow_ups(doctype, self.day_start, self.day_end)
			self.remind_each(doctype, due, self.remind)
			overdue = get_overdue_follow_ups(doctype, self.day_start)
			self.remind_each(doctype, overdue, self.remind_overdue)
		return self.result

	def remind_each(self, doctype: str, rows, remind) -> None:
		if not rows:
			return  # nothing to commit either: the quarter-hourly run that finds nothing costs its queries
		self.users_without_notifications = get_users_without_notifications({row.contact_by for row in rows})
		for row in rows:
			if self.commit:
				# Each reminder is its own transaction, whose reads start after it has locked
				# its document: what it acts on is what users committed until then.
				frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
			self.remind_or_log_error(doctype, row, remind)
		if self.commit:
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit

	def remind_or_log_error(self, doctype: str, due: frappe._dict, remind) -> None:
		"""A run racing another one may be picked as a deadlock victim by the database, which then
		rolls the record's transaction back: the record is tried again, as is one whose follow-up
		row was made after the due list was read. Any other failure is rolled back to before the
		record, written to the Error Log, and skipped. With `commit`, the record's transaction holds
		nothing else (what came before is committed), so it is rolled back whole; without, to a
		savepoint."""
		attempts = 3 if self.commit else 1
		attempt = 1
		while True:
			if not self.commit:
				frappe.db.savepoint("pipeline_follow_up")
			try:
				remind(doctype, due)
				return
			except FollowUpRowMade:
				self.roll_back_record()
				due.follow_up = True  # go again, reading the row it has now
			except Exception as exc:
				if isinstance(exc, frappe.QueryDeadlockError | frappe.QueryTimeoutError):
					frappe.db.rollback()  # the database has already undone the whole transaction
					if attempt < attempts:
						attempt += 1
						continue
				else:
					self.roll_back_record()
				self.result.failed += 1
				frappe.log_error(
					title=_("Follow-up reminder failed for {0} {1}").format(doctype, due.name),
					reference_doctype=doctype,
					reference_name=due.name,
				)
				return

	def roll_back_record(self) -> None:
		if self.commit:
			frappe.db.rollback()
		else:
			frappe.db.rollback(save_point="pipeline_follow_up")

	def remind(self, doctype: str, due: frappe._dict) -> None:
		"""Lock the document (a save of it takes the same lock), read its follow-up as it is now, and
		act on that: a follow-up cleared, moved to another day or to another user since the due
		list was read is not reminded from the stale list.

		A document the due list found without a Pipeline Follow Up row (imported, or written
		behind the form) has no Event: its row is inserted at the end with what was sent. If a save
		or another run made the row meanwhile, the insert finds it, and the record is undone and
		done again from the row (FollowUpRowMade)."""
		row = lock_document_follow_up(doctype, due.name)
		if not (row and is_due(doctype, row, self.day_start, self.day_end)):
			return
		follow_up = lock_follow_up(doctype, row.name, exists=True) if due.follow_up else None
		if (
			follow_up
			and follow_up.notified_user == row.contact_by
			and follow_up.notified_contact_date == row.contact_date
		):
			return  # another run notified it while this one waited for the lock
		if not can_read(doctype, row, row.contact_by):
			if not frappe.db.exists("User", row.contact_by):
				frappe.throw(_("Next Contact By: user {0} does not exist").format(row.contact_by))
			# The user lost access to the document: no reminder (it would show its title and what to
			# discuss) and no Event in their calendar. Recorded as handled, so it is not retried.
			follow_up = follow_up or lock_follow_up(doctype, row.name)
			remove_open_event(doctype, row.name)
			set_follow_up_values(
				follow_up.name, notified_user=row.contact_by, notified_contact_date=row.contact_date
			)
			return
		event = (
			get_event_state([follow_up.event], for_update=True).get(follow_up.event) if follow_up else None
		)
		event_name = put_event(doctype, row, follow_up, event, record=False)

		notification_log = None
		if row.contact_by not in self.users_without_notifications:
			notification_log = make_notification(doctype, row)
		if self.send_email:
			self.send_email_or_log_error(doctype, row)
		sent = {
			"event": event_name,
			"notified_user": row.contact_by,
			"notified_contact_date": row.contact_date,
			"notification_log": notification_log,
		}
		if follow_up:
			set_follow_up_values(follow_up.name, **sent)
		elif not insert_follow_up(doctype, row.name, **sent):
			raise FollowUpRowMade
		self.result.notified += 1
		if not event or event.name != event_name:
			self.result.events_created += 1

	def remind_overdue(self, doctype: str, due: frappe._dict) -> None:
		"""As remind, for a follow-up whose day has passed: lock the document, then its Pipeline
		Follow Up row, and send the overdue notification only if the follow-up is still the overdue
		one and no run has sent it for this user and date. A user who can no longer read the
		document gets nothing; that is recorded too, so it is not tried again."""
		row = lock_document_follow_up(doctype, due.name)
		if not (row and is_overdue(doctype, row, self.day_start)):
			return
		follow_up = lock_follow_up(doctype, row.name, exists=bool(due.follow_up))
		if (follow_up.overdue_notified_user, follow_up.overdue_notified_contact_date) == (
			row.contact_by,
			row.contact_date,
		):
			return  # another run sent it while this one waited for the lock
		notification_log = None
		if can_read(doctype, row, row.contact_by) and row.contact_by not in self.users_without_notifications:
			notification_log = make_notification(doctype, row, get_overdue_subject(doctype, row))
			self.result.overdue_notified += 1
		set_follow_up_values(
			follow_up.name,
			overdue_notified_user=row.contact_by,
			overdue_notified_contact_date=row.contact_date,
			overdue_notification_log=notification_log,
		)

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
		.select(
			Doc.name,
			Doc.title,
			Doc.contact_by,
			Doc.contact_date,
			Doc.to_discuss,
			FollowUp.name.as_("follow_up"),
			FollowUp.event,
		)
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


def is_overdue(doctype: str, row, day_start) -> bool:
	"""A follow-up whose day ended before `day_start` and is still open: not done, not moved."""
	return bool(
		row.contact_by
		and row.contact_date
		and get_datetime(row.contact_date) < day_start
		and row.status not in CLOSED_STATUSES[doctype]
	)


def get_overdue_follow_ups(doctype: str, day_start) -> list[frappe._dict]:
	"""The open documents whose follow-up's day ended before `day_start` and whose user has not had
	the overdue notification for that user and time: one query on the indexed contact_date."""
	Doc, FollowUp = DocType(doctype), DocType("Pipeline Follow Up")
	return (
		frappe.qb.from_(Doc)
		.left_join(FollowUp)
		.on((FollowUp.reference_doctype == doctype) & (FollowUp.reference_name == Doc.name))
		.select(Doc.name, Doc.contact_by, Doc.contact_date, FollowUp.name.as_("follow_up"))
		.where(Doc.contact_date < day_start)
		.where(Doc.contact_by.isnotnull())
		.where(Doc.status.notin(CLOSED_STATUSES[doctype]))
		.where(
			FollowUp.overdue_notified_user.isnull()
			| (FollowUp.overdue_notified_user != Doc.contact_by)
			| (FollowUp.overdue_notified_contact_date != Doc.contact_date)
		)
		.orderby(Doc.name)
		.run(as_dict=True)
	)


def can_read(doctype: str, row: frappe._dict, user: str) -> bool:
	"""Whether `user` may read the document whose locked row (with its owner) is `row`. Frappe checks
	a document against the user's roles (with its owner, for "only if creator" rules), its
	DocType's has_permission hooks and the User Permissions on its and its child rows' link fields.
	For a user without User Permissions and a DocType without such hooks, the owner is all the check
	reads, so the document is not loaded for it."""
	if get_user_permissions(user) or frappe.get_hooks("has_permission").get(doctype):
		return frappe.has_permission(doctype, "read", doc=row.name, user=user)
	document = frappe.get_doc({"doctype": doctype, "name": row.name, "owner": row.owner})
	return frappe.has_permission(doctype, "read", doc=document, user=user)


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


def get_overdue_subject(doctype: str, row) -> str:
	return _("Overdue follow-up of {0}: {1} ({2} {3})").format(
		format_datetime(row.contact_date, "dd MMM yyyy HH:mm"),
		frappe.bold(as_html_text(row.title or row.name)),
		_(doctype),
		as_html_text(row.name),
	)


def make_notification(doctype: str, row, subject: str | None = None) -> str:
	notification = frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": row.contact_by,
			"type": "Alert",
			"document_type": doctype,
			"document_name": row.name,
			"subject": subject or get_reminder_subject(doctype, row),
			"email_content": as_html_text(row.to_discuss),
		}
	)
	# Sent by the scheduler's job to the Next Contact By user, who may read the document (checked
	# by the caller); nobody's create right on Notification Log is involved.
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
