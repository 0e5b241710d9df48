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
			{
				fieldname: "currency",
				label: __("Currency"),
				fieldtype: "Link",
				options: "Currency",
				default: frappe.defaults.get_global_default("currency"),
				reqd: 1,
				// As on the forecast: the app's search lists the enabled currencies to anyone who may
				// read opportunities (Frappe gives Sales Manager no permission on Currency).
				get_query: () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }),
				ignore_link_validation: 1,
			},
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
