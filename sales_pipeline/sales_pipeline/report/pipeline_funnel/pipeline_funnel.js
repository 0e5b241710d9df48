// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	const REPORT = "Pipeline Funnel";

	// Dates come from the URL too, and Frappe's Date control (v15) shows a value it refuses as HTML:
	// the same check as the control's, with the refused value shown as text (see the forecast report).
	function refuse_a_value_that_is_not_a_date(value) {
		if (value && !frappe.datetime.validate(value)) {
			frappe.msgprint(
				__("{0}: {1} is not a date", [__(this.df.label), frappe.utils.escape_html(value)]),
				__("Invalid Date")
			);
			return "";
		}
		return value;
	}

	frappe.query_reports[REPORT] = {
		filters: [
			{
				// The opportunities created (transaction date) in the period, followed up to now.
				fieldname: "from_date",
				label: __("Created From"),
				fieldtype: "Date",
				default: frappe.datetime.add_months(frappe.datetime.get_today(), -12),
				validate: refuse_a_value_that_is_not_a_date,
				on_change: (report) => frappe.query_reports[REPORT].refresh_if_range_is_valid(report),
			},
			{
				fieldname: "to_date",
				label: __("Created To"),
				fieldtype: "Date",
				default: frappe.datetime.get_today(),
				validate: refuse_a_value_that_is_not_a_date,
				on_change: (report) => frappe.query_reports[REPORT].refresh_if_range_is_valid(report),
			},
			{
				fieldname: "opportunity_owner",
				label: __("Opportunity Owner"),
				fieldtype: "Link",
				options: "User",
			},
		],

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
})();
