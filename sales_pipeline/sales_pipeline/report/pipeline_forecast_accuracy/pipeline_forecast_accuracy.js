// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	const REPORT = "Pipeline Forecast Accuracy";

	frappe.query_reports[REPORT] = {
		filters: [
			{
				fieldname: "from_date",
				label: __("From Date"),
				fieldtype: "Date",
				// The last 12 full months.
				default: frappe.datetime.add_months(frappe.datetime.month_start(), -12),
				reqd: 1,
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "to_date",
				label: __("To Date"),
				fieldtype: "Date",
				default: frappe.datetime.add_days(frappe.datetime.month_start(), -1),
				reqd: 1,
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			sales_pipeline.currency_report_filter(),
		],

		formatter(value, row, column, data, default_formatter) {
			// No percentage error without anything won, and none in the total row: a blank, not 0%.
			const percent_error = ["opportunity_abs_pct_error", "learned_abs_pct_error"];
			if (percent_error.includes(column.fieldname) && (value === "" || value == null)) {
				return "";
			}
			return default_formatter(value, row, column, data);
		},
	};
})();
