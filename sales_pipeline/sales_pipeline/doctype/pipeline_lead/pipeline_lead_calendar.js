// Follow-ups (Next Contact Date) on the calendar. Dragging one to another time moves the
// follow-up, and with it the Event in the Next Contact By user's calendar.
frappe.views.calendar["Pipeline Lead"] = {
	field_map: {
		start: "contact_date",
		id: "name",
		title: "title",
	},
	get_events_method: "sales_pipeline.sales_pipeline.follow_up.get_follow_up_calendar_events",
	filters: [
		{
			fieldtype: "Link",
			fieldname: "contact_by",
			options: "User",
			label: __("Next Contact By"),
		},
	],
};
