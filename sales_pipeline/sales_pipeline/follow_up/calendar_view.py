"""The calendar views of follow-ups (Next Contact Date) of Pipeline Opportunity and Pipeline Lead."""

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, escape_html, get_datetime

from sales_pipeline.sales_pipeline.follow_up.event import get_event_state
from sales_pipeline.sales_pipeline.follow_up.records import CLOSED_STATUSES, FOLLOW_UP_DOCTYPES


@frappe.whitelist()
def get_follow_up_calendar_events(
	doctype: str,
	start: str,
	end: str,
	field_map: str | None = None,
	filters: str | list | None = None,
	fields: str | list | None = None,
	mine_unless_filtered: bool = False,
) -> list[dict]:
	"""The open follow-ups between start and end the user may read, for the calendar views of
	Pipeline Opportunity and Pipeline Lead. With `mine_unless_filtered` (the desk's calendars),
	only the user's own unless the filters name a Next Contact By: a rep's calendar opens on
	their follow-ups, and the "Next Contact By" filter shows a colleague's."""
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
	if mine_unless_filtered and not any(condition[1] == "contact_by" for condition in filters):
		filters.append([doctype, "contact_by", "=", frappe.session.user])
	rows = frappe.get_list(
		doctype,
		fields=["name", "title", "contact_by", "contact_date", "status"],
		filters=[
			*filters,
			[doctype, "contact_date", ">=", start],
			[doctype, "contact_date", "<=", end],
			[doctype, "contact_by", "is", "set"],
			# Only open follow-ups: a closed, lost or converted document has none left to do.
			[doctype, "status", "not in", CLOSED_STATUSES[doctype]],
		],
		order_by="contact_date asc",
		limit_page_length=0,
	)
	set_ends_on(doctype, rows)
	return rows


def set_ends_on(doctype: str, rows) -> None:
	"""Each follow-up ends when its Event does (the calendar shows its real duration); one without
	an Event at that time ends after Pipeline Settings' event duration, or at its start."""
	if not rows:
		return
	event_names = dict(
		frappe.get_all(
			"Pipeline Follow Up",
			filters={"reference_doctype": doctype, "reference_name": ("in", [row.name for row in rows])},
			fields=["reference_name", "event"],
			as_list=True,
		)
	)
	events = get_event_state(event_names.values())
	duration = cint(frappe.db.get_single_value("Pipeline Settings", "follow_up_event_duration"))
	for row in rows:
		event = events.get(event_names.get(row.name))
		if event and event.starts_on == row.contact_date and event.ends_on:
			row.ends_on = event.ends_on
		else:
			row.ends_on = (
				add_to_date(row.contact_date, minutes=duration) if duration > 0 else row.contact_date
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
