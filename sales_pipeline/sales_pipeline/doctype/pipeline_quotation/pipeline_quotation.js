// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

sales_pipeline.item_table.setup("Pipeline Quotation Item");

frappe.ui.form.on("Pipeline Quotation", {
	setup(frm) {
		sales_pipeline.set_party_type_query(frm, "quotation_to");
		frm.set_query("party_name", () =>
			frm.doc.quotation_to === "Pipeline Customer" ? { filters: { disabled: 0 } } : {}
		);
		frm.set_query("item_code", "items", () => ({ filters: { disabled: 0 } }));
		// Frappe gives no permission on Currency to a Sales Manager who is not also a Sales User, so its
		// search and check of a Currency refuse one: search the app's list of currencies instead, and
		// leave the check to the server, where saving refuses a currency that does not exist
		// (sales_pipeline/currency.py).
		frm.set_query("currency", () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }));
	},

	refresh(frm) {
		frm.set_df_property("currency", "ignore_link_validation", 1);
		// Submitting, cancelling, ordering or losing a quotation moves its opportunity's (and lead's) status;
		// their forms reload themselves when shown again (sales_pipeline.reload_if_changed_on_server).
		if (frm.doc.docstatus === 1 && frm.doc.status === "Open" && frm.has_perm("submit")) {
			frm.add_custom_button(__("Mark as Ordered"), () =>
				frm
					.call({ doc: frm.doc, method: "set_as_ordered", freeze: true })
					.then(() => frm.reload_doc())
			);
			frm.add_custom_button(__("Set as Lost"), () => sales_pipeline.declare_lost(frm));
		}
	},

	quotation_to(frm) {
		frm.set_value("party_name", "");
	},

	contact_person(frm) {
		sales_pipeline.set_contact_details(frm);
	},
});
