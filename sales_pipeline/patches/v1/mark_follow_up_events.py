"""Mark the Events the app made, so that deleting a document deletes those and no user's own
Event. Earlier versions did not mark them: the current Event of each follow-up is known."""

import frappe

from sales_pipeline.sales_pipeline.follow_up import EVENT_MARKER_FIELD, create_event_marker_field


def execute():
	create_event_marker_field()
	events = frappe.get_all("Pipeline Follow Up", filters={"event": ("is", "set")}, pluck="event")
	if events:
		frappe.db.set_value("Event", {"name": ("in", events)}, EVENT_MARKER_FIELD, 1, update_modified=False)
