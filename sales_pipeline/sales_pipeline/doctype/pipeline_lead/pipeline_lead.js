// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.ui.form.on("Pipeline Lead", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.customer || frm.doc.status === "Do Not Contact") return;
		const method = "sales_pipeline.sales_pipeline.doctype.pipeline_lead.pipeline_lead.";
		if (frappe.model.can_create("Pipeline Opportunity")) {
			frm.add_custom_button(
				__("Opportunity"),
				() => frappe.model.open_mapped_doc({ method: method + "make_opportunity", frm }),
				__("Create")
			);
		}
		if (frappe.model.can_create("Pipeline Customer")) {
			frm.add_custom_button(
				__("Customer"),
				() => frappe.model.open_mapped_doc({ method: method + "make_customer", frm }),
				__("Create")
			);
		}
		frm.page.set_inner_btn_group_as_primary(__("Create"));
	},
});
