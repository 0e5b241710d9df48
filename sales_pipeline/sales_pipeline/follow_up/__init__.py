"""Follow-ups: "Next Contact By" + "Next Contact Date" on a Pipeline Lead or Pipeline Opportunity.

On save, a follow-up gets one Private Event in the Next Contact By user's calendar. On the day,
the scheduler gives that user one notification in their bell for it (and an email when Pipeline
Settings asks for one); the day after, one more if it is still not done. "Follow-up done" on the
document, or the Event marked Completed in the calendar, records it and sets the next one.

Each concern has its module:

- records: the documents that carry follow-ups and the `Pipeline Follow Up` row of each
- validation: the checks of a follow-up on save
- event: the follow-up's Event
- reminders: the scheduler job (the day's and the overdue notifications)
- completion: "Follow-up done"
- calendar_view: the calendar views

The names below are the package's public ones: hooks.py, the desk script and the README name
them under `sales_pipeline.sales_pipeline.follow_up.`.
"""

from sales_pipeline.sales_pipeline.follow_up.calendar_view import get_follow_up_calendar_events
from sales_pipeline.sales_pipeline.follow_up.event import (
	delete_follow_up,
	get_event_values,
	set_follow_up_event_owner,
	sync_follow_up_event,
)
from sales_pipeline.sales_pipeline.follow_up.records import (
	CLOSED_STATUSES,
	EVENT_MARKER_FIELD,
	FOLLOW_UP_DOCTYPES,
	as_html_text,
	create_event_marker_field,
	delete_all_follow_up_records,
)
from sales_pipeline.sales_pipeline.follow_up.reminders import (
	get_due_follow_ups,
	get_reminder_subject,
	run_follow_up_reminders,
	send_follow_up_reminders,
)
from sales_pipeline.sales_pipeline.follow_up.validation import validate_follow_up

__all__ = [
	"CLOSED_STATUSES",
	"EVENT_MARKER_FIELD",
	"FOLLOW_UP_DOCTYPES",
	"as_html_text",
	"create_event_marker_field",
	"delete_all_follow_up_records",
	"delete_follow_up",
	"get_due_follow_ups",
	"get_event_values",
	"get_follow_up_calendar_events",
	"get_reminder_subject",
	"run_follow_up_reminders",
	"send_follow_up_reminders",
	"set_follow_up_event_owner",
	"sync_follow_up_event",
	"validate_follow_up",
]
