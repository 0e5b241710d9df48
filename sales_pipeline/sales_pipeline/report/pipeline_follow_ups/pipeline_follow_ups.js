// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.query_reports["Pipeline Follow-ups"] = {
	filters: [
		{
			fieldname: "user",
			label: __("Next Contact By"),
			fieldtype: "Link",
			options: "User",
			default: frappe.session.user,
			reqd: 1,
		},
		{
			fieldname: "show_overdue",
			label: __("Show Overdue"),
			fieldtype: "Check",
			default: 1,
		},
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "due" && data) {
			const color = data.contact_date < frappe.datetime.get_today() ? "red" : "orange";
			value = `<span class="indicator-pill ${color}">${value}</span>`;
		}
		return value;
	},
};
