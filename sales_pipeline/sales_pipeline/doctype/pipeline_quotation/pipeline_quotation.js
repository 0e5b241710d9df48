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

	// Submitting, cancelling or ordering a quotation moves its opportunity's (and lead's) status
	// on the server. Drop the desk's copies of them, as Frappe does on a realtime doc_update (which
	// never comes without socket.io), so that opening them again shows the new status.
	forget_updated_documents(frm) {
		const docs = [["Pipeline Opportunity", frm.doc.opportunity]];
		if (frm.doc.quotation_to === "Pipeline Lead") docs.push(["Pipeline Lead", frm.doc.party_name]);
		for (const [doctype, name] of docs) {
			const doc = name && locals[doctype] && locals[doctype][name];
			if (!doc) continue;
			if (doc.__unsaved) doc.__needs_refresh = true;
			else frappe.model.remove_from_locals(doctype, name);
		}
	},

	quotation_to(frm) {
		frm.set_value("party_name", "");
	},

	contact_person(frm) {
		sales_pipeline.set_contact_details(frm);
	},
});
