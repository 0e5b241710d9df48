// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

// The supplier's rates are what the user collects, so the item's selling rate is not filled in.
sales_pipeline.item_table.setup("Pipeline Supplier Quotation Item", { use_standard_rate: false });

frappe.ui.form.on("Pipeline Supplier Quotation", {
	setup(frm) {
		frm.set_query("supplier", () => ({ filters: { disabled: 0 } }));
		frm.set_query("item_code", "items", () => ({ filters: { disabled: 0 } }));
	},
});
