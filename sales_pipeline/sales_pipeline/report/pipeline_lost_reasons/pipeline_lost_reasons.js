// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	const REPORT = "Pipeline Lost Reasons";

	frappe.query_reports[REPORT] = {
		filters: [
			{
				fieldname: "from_date",
				label: __("From Date"),
				fieldtype: "Date",
				// The last 12 months, this one included.
				default: frappe.datetime.add_months(frappe.datetime.month_start(), -11),
				reqd: 1,
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "to_date",
				label: __("To Date"),
				fieldtype: "Date",
				default: frappe.datetime.month_end(),
				reqd: 1,
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "period",
				label: __("Period"),
				fieldtype: "Select",
				options: [
					{ value: "Monthly", label: __("Monthly") },
					{ value: "Quarterly", label: __("Quarterly") },
					{ value: "Yearly", label: __("Yearly") },
				],
				default: "Monthly",
				reqd: 1,
			},
			sales_pipeline.currency_report_filter(),
		],

		formatter(value, row, column, data, default_formatter) {
			// The losses recorded without a reason.
			if (column.fieldname === "lost_reason" && data && !data.lost_reason && !data.is_total_row) {
				return `<span class="text-muted">${__("Not Specified")}</span>`;
			}
			return default_formatter(value, row, column, data);
		},
	};
})();
