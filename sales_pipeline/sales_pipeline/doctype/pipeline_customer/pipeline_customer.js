// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.ui.form.on("Pipeline Customer", {
	setup(frm) {
		// Frappe gives no permission on Currency to a Sales Manager who is not also a Sales User, so its
		// search and check of a Currency refuse one: search the app's list of currencies instead, and
		// leave the check to the server, where saving refuses a currency that does not exist
		// (sales_pipeline/currency.py).
		frm.set_query("default_currency", () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }));
	},

	refresh(frm) {
		frm.set_df_property("default_currency", "ignore_link_validation", 1);
	},
});
