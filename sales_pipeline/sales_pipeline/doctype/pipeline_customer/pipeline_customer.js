// Copyright (c) 2026, sales_pipeline developers
// For license information, please see license.txt

frappe.ui.form.on("Pipeline Customer", {
	after_save(frm) {
		// Saving a customer made from a lead converts the lead.
		if (frm.doc.lead_name) sales_pipeline.forget_documents([["Pipeline Lead", frm.doc.lead_name]]);
	},
});
