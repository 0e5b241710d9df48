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
		// Frappe gives no permission on Currency to a Sales Manager who is not also a Sales User, so its
		// search and check of a Currency refuse one: search the app's list of currencies instead, and
		// leave the check to the server, where saving refuses a currency that does not exist
		// (sales_pipeline/currency.py).
		frm.set_query("currency", () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }));
	},

	refresh(frm) {
		frm.set_df_property("currency", "ignore_link_validation", 1);
		if (frm.is_new()) return;
		sales_pipeline.reload_if_changed_on_server(frm);
		frm.events.add_create_buttons(frm);
		frm.events.add_status_buttons(frm);
		sales_pipeline.add_follow_up_done_button(frm, ["Converted", "Lost", "Closed"]);
	},

	add_create_buttons(frm) {
		const method = "sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity.";
		if (["Lost", "Closed"].includes(frm.doc.status)) return;
		if (frappe.model.can_create("Pipeline Quotation")) {
			frm.add_custom_button(
				__("Quotation"),
				() => frappe.model.open_mapped_doc({ method: method + "make_quotation", frm }),
				__("Create")
			);
		}
		if ((frm.doc.items || []).length && frappe.model.can_create("Pipeline Supplier Quotation")) {
			frm.add_custom_button(
				__("Supplier Quotation"),
				() => frappe.model.open_mapped_doc({ method: method + "make_supplier_quotation", frm }),
				__("Create")
			);
		}
		frm.page.set_inner_btn_group_as_primary(__("Create"));
	},

	add_status_buttons(frm) {
		if (!frm.has_perm("write")) return;
		const status = frm.doc.status;
		if (["Open", "Replied"].includes(status)) {
			frm.add_custom_button(__("Set as Lost"), () => frm.events.set_as_lost(frm), __("Status"));
		}
		if (["Open", "Replied", "Quotation"].includes(status)) {
			frm.add_custom_button(
				__("Close"),
				() => frm.events.call_status_method(frm, "close_opportunity"),
				__("Status")
			);
		}
		if (["Lost", "Closed"].includes(status)) {
			frm.add_custom_button(__("Reopen"), () =>
				frm.events.call_status_method(frm, "reopen_opportunity")
			);
		}
	},

	call_status_method(frm, method, args) {
		return frm.call({ doc: frm.doc, method, args, freeze: true }).then(() => frm.reload_doc());
	},

	set_as_lost(frm) {
		sales_pipeline.declare_lost(frm);
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
