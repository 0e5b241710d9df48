// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

(() => {
	// A link the desk's router follows (and a new tab opens): the list reads each query parameter
	// holding a JSON array as [operator, value] (parse_filters_from_route_options in list_view.js).
	// `html` is already escaped.
	function link_to_opportunities(html, opportunity_filters) {
		const params = new URLSearchParams();
		for (const [fieldname, condition] of Object.entries(opportunity_filters)) {
			params.append(fieldname, JSON.stringify(condition));
		}
		const href = `/app/pipeline-opportunity?${params.toString()}`;
		const title = __("Open these opportunities");
		return `<a class="forecast-opportunities" href="${frappe.utils.escape_html(href)}" title="${frappe.utils.escape_html(title)}">${html}</a>`;
	}

	frappe.query_reports["Sales Pipeline Forecast"] = {
		filters: [
			{
				fieldname: "from_date",
				label: __("Expected Closing From"),
				fieldtype: "Date",
				default: frappe.datetime.month_start(),
				description: __(
					"The months listed start at this date or today, whichever is later. Overdue and No Date rows are shown whatever the range."
				),
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			{
				fieldname: "to_date",
				label: __("Expected Closing To"),
				fieldtype: "Date",
				default: frappe.datetime.add_months(frappe.datetime.month_end(), 5),
				description: __(
					"The last month listed. Overdue opportunities (expected closing before today) and those without a date have rows of their own, shown whatever the range."
				),
				validate: sales_pipeline.refuse_a_value_that_is_not_a_date,
				on_change: sales_pipeline.refresh_if_range_is_valid,
			},
			sales_pipeline.currency_report_filter(),
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
			{
				fieldname: "probability_basis",
				label: __("Probability Basis"),
				fieldtype: "Select",
				options: [
					{ value: "Opportunity", label: __("Opportunity") },
					{ value: "Learned", label: __("Learned") },
				],
				default: "Opportunity",
				description: __(
					"Opportunity: each opportunity's own probability. Learned: the win rate learned for its current stage from the deals closed in the last months; an opportunity without a stage keeps its own probability."
				),
			},
		],

		// The period and the count of a row link to the Pipeline Opportunity list filtered to exactly
		// the opportunities the row counts: the server sends those filters with the row
		// (`opportunity_filters`, {fieldname: [operator, value]}); the total row has none.
		formatter(value, row, column, data, default_formatter) {
			if (column.fieldname === "month" && data && data.opportunity_filters) {
				return link_to_opportunities(frappe.utils.escape_html(value), data.opportunity_filters);
			}
			const formatted = default_formatter(value, row, column, data);
			if (column.fieldname === "opportunities" && data && data.opportunity_filters) {
				return link_to_opportunities(formatted, data.opportunity_filters);
			}
			return formatted;
		},

	};
})();
