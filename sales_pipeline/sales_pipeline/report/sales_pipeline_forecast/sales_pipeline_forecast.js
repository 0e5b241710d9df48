// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.query_reports["Sales Pipeline Forecast"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("Expected Closing From"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
			on_change: (report) => frappe.query_reports["Sales Pipeline Forecast"].refresh_if_range_is_valid(report),
		},
		{
			fieldname: "to_date",
			label: __("Expected Closing To"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.month_end(), 5),
			on_change: (report) => frappe.query_reports["Sales Pipeline Forecast"].refresh_if_range_is_valid(report),
		},
		{
			fieldname: "currency",
			label: __("Currency"),
			fieldtype: "Link",
			options: "Currency",
			default: frappe.defaults.get_global_default("currency"),
			reqd: 1,
		},
		{
			fieldname: "sales_stage",
			label: __("Sales Stage"),
			fieldtype: "Link",
			options: "Pipeline Sales Stage",
		},
		{
			fieldname: "opportunity_owner",
			label: __("Opportunity Owner"),
			fieldtype: "Link",
			options: "User",
		},
	],

	// Refresh only on a valid range: an inverted one is pointed out here instead of being sent.
	refresh_if_range_is_valid(report) {
		const from_date = report.get_filter_value("from_date");
		const to_date = report.get_filter_value("to_date");
		if (from_date && to_date && to_date < from_date) {
			frappe.show_alert({ message: __("To Date cannot be before From Date"), indicator: "red" });
			return;
		}
		report.refresh();
	},
};
