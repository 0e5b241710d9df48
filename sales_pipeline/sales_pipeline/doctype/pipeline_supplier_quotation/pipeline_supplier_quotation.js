// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

// The supplier's rates are what the user collects, so the item's selling rate is not filled in.
sales_pipeline.item_table.setup("Pipeline Supplier Quotation Item", { use_standard_rate: false });

frappe.ui.form.on("Pipeline Supplier Quotation", {
	setup(frm) {
		frm.set_query("supplier", () => ({ filters: { disabled: 0 } }));
		frm.set_query("item_code", "items", () => ({ filters: { disabled: 0 } }));
		// Frappe gives no permission on Currency to a Sales Manager who is not also a Sales User, so its
		// search and check of a Currency refuse one: search the app's list of currencies instead, and
		// leave the check to the server, where saving refuses a currency that does not exist
		// (sales_pipeline/currency.py).
		frm.set_query("currency", () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }));
	},

	refresh(frm) {
		frm.set_df_property("currency", "ignore_link_validation", 1);
	},
});
