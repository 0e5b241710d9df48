// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	// A report takes its filters from the URL too (/app/query-report/Sales Pipeline Forecast?to_date=...),
	// and Frappe's Date control (v15) shows a value it refuses in a message box as HTML, so a link whose
	// to_date is `<img src=x onerror=...>` would run script in the browser of whoever opens it. Frappe
	// copies a filter's definition onto its control (setup_filters in query_report.js), so this replaces
	// the control's `validate`: the same check, with the refused value shown as text.
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

	frappe.query_reports["Sales Pipeline Forecast"] = {
		filters: [
			{
				fieldname: "from_date",
				label: __("Expected Closing From"),
				fieldtype: "Date",
				default: frappe.datetime.month_start(),
				validate: refuse_a_value_that_is_not_a_date,
				on_change: (report) => frappe.query_reports["Sales Pipeline Forecast"].refresh_if_range_is_valid(report),
			},
			{
				fieldname: "to_date",
				label: __("Expected Closing To"),
				fieldtype: "Date",
				default: frappe.datetime.add_months(frappe.datetime.month_end(), 5),
				validate: refuse_a_value_that_is_not_a_date,
				on_change: (report) => frappe.query_reports["Sales Pipeline Forecast"].refresh_if_range_is_valid(report),
			},
			{
				fieldname: "currency",
				label: __("Currency"),
				fieldtype: "Link",
				options: "Currency",
				default: frappe.defaults.get_global_default("currency"),
				reqd: 1,
				// Frappe gives no permission on Currency to a Sales Manager who is not also a Sales User,
				// so its own search and check of a Currency refuse one. The app's search lists the enabled
				// currencies to anyone who may read opportunities, and the report refuses a currency that
				// does not exist.
				get_query: () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }),
				ignore_link_validation: 1,
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
})();
