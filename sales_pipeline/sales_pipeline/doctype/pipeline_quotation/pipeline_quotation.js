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
	},

	refresh(frm) {
		if (frm.doc.docstatus === 1 && frm.doc.status === "Open" && frm.perm[0] && frm.perm[0].submit) {
			frm.add_custom_button(__("Mark as Ordered"), () =>
				frm
					.call({ doc: frm.doc, method: "set_as_ordered", freeze: true })
					.then(() => frm.reload_doc())
					.then(() => frm.events.forget_updated_documents(frm))
			);
		}
	},

	on_submit(frm) {
		frm.events.forget_updated_documents(frm);
	},

	after_cancel(frm) {
		frm.events.forget_updated_documents(frm);
	},

	// Submitting, cancelling or ordering a quotation moves its opportunity's (and lead's) status.
	forget_updated_documents(frm) {
		sales_pipeline.forget_documents([
			["Pipeline Opportunity", frm.doc.opportunity],
			...sales_pipeline.lead_of(frm.doc.quotation_to, frm.doc.party_name),
		]);
	},

	quotation_to(frm) {
		frm.set_value("party_name", "");
	},

	contact_person(frm) {
		sales_pipeline.set_contact_details(frm);
	},
});
