// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

sales_pipeline.item_table.setup("Pipeline Opportunity Item");

frappe.ui.form.on("Pipeline Opportunity", {
	setup(frm) {
		sales_pipeline.set_party_type_query(frm, "opportunity_from");
		frm.set_query("party_name", () =>
			frm.doc.opportunity_from === "Pipeline Customer" ? { filters: { disabled: 0 } } : {}
		);
		frm.set_query("item_code", "items", () => ({ filters: { disabled: 0 } }));
	},

	onload(frm) {
		if (frm.is_new() && !frm.doc.sales_stage) {
			frappe.db.get_single_value("Pipeline Settings", "default_sales_stage").then((stage) => {
				if (stage && !frm.doc.sales_stage) frm.set_value("sales_stage", stage);
			});
		}
	},

	opportunity_from(frm) {
		frm.set_value("party_name", "");
	},

	party_name(frm) {
		if (frm.doc.opportunity_from !== "Pipeline Customer" || !frm.doc.party_name) return;
		frappe.db.get_value("Pipeline Customer", frm.doc.party_name, "default_currency").then(({ message }) => {
			if (message && message.default_currency) frm.set_value("currency", message.default_currency);
		});
	},

	sales_stage(frm) {
		if (!frm.doc.sales_stage || frm.doc.probability) return;
		frappe.db.get_value("Pipeline Sales Stage", frm.doc.sales_stage, "probability").then(({ message }) => {
			if (message) frm.set_value("probability", message.probability);
		});
	},

	contact_person(frm) {
		sales_pipeline.set_contact_details(frm);
	},
});
