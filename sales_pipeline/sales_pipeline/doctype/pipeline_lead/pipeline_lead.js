// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.ui.form.on("Pipeline Lead", {
	refresh(frm) {
		// Its opportunities and customer move its status on the server.
		sales_pipeline.reload_if_changed_on_server(frm);
		frm.events.set_status_choices(frm);
		frm.events.add_create_buttons(frm);
		sales_pipeline.add_follow_up_done_button(frm, ["Converted", "Do Not Contact"]);
	},

	set_status_choices(frm) {
		// Statuses the lead takes from its opportunities and customer; the others are set by hand.
		const pipeline_statuses = ["Opportunity", "Quotation", "Lost Quotation", "Converted"];
		const manual_statuses = ["Lead", "Open", "Replied", "Interested", "Do Not Contact"];
		const follows_pipeline = pipeline_statuses.includes(frm.doc.status);
		frm.set_df_property("status", "read_only", follows_pipeline ? 1 : 0);
		frm.set_df_property(
			"status",
			"description",
			follows_pipeline ? __("Follows the lead's opportunities and customer") : ""
		);
		if (!follows_pipeline) frm.set_df_property("status", "options", manual_statuses);
	},

	add_create_buttons(frm) {
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
