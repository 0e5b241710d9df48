// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	const REPORT = "Pipeline Funnel";

	frappe.query_reports[REPORT] = {
		filters: [
			{
				// The opportunities created (transaction date) in the period, followed up to now.
				fieldname: "from_date",
				label: __("Created From"),
				fieldtype: "Date",
				default: frappe.datetime.add_months(frappe.datetime.get_today(), -12),
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "to_date",
				label: __("Created To"),
				fieldtype: "Date",
				default: frappe.datetime.get_today(),
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "opportunity_owner",
				label: __("Opportunity Owner"),
				fieldtype: "Link",
				options: "User",
			},
		],

	};
})();
