// Desk helpers shared by the pipeline forms. Loaded on every desk page (hooks.app_include_js).
frappe.provide("sales_pipeline");

sales_pipeline.PARTY_DOCTYPES = ["Pipeline Lead", "Pipeline Customer"];

// Limit a "Link to DocType" party field to Pipeline Lead / Pipeline Customer.
sales_pipeline.set_party_type_query = function (frm, fieldname) {
	frm.set_query(fieldname, () => ({
		filters: { name: ["in", sales_pipeline.PARTY_DOCTYPES] },
	}));
};

// The server moved the status of these documents ([[doctype, name], ...]) as a consequence of
// an action on another one. Drop the desk's copies, as Frappe does on a realtime doc_update
// (which does not come when socket.io is not running), so that opening them shows the change.
sales_pipeline.forget_documents = function (docs) {
	for (const [doctype, name] of docs) {
		const doc = name && locals[doctype] && locals[doctype][name];
		if (!doc) continue;
		if (doc.__unsaved) doc.__needs_refresh = true;
		else frappe.model.remove_from_locals(doctype, name);
	}
};

// The lead of a document whose party is a lead, as [[doctype, name]] for forget_documents.
sales_pipeline.lead_of = function (party_type, party_name) {
	return party_type === "Pipeline Lead" && party_name ? [["Pipeline Lead", party_name]] : [];
};

// The calendar view of follow-ups (Next Contact Date) of Pipeline Opportunity and Pipeline Lead.
// Dragging one to another time moves the follow-up, and with it the Event in the Next Contact
// By user's calendar.
// A new object each time: the calendar view may keep state on it.
sales_pipeline.follow_up_calendar = function () {
	return {
		field_map: {
			start: "contact_date",
			id: "name",
			title: "title",
		},
		get_events_method: "sales_pipeline.sales_pipeline.follow_up.get_follow_up_calendar_events",
		filters: [
			{
				fieldtype: "Link",
				fieldname: "contact_by",
				options: "User",
				label: __("Next Contact By"),
			},
		],
	};
};

// Fill the contact's email and mobile when a contact is picked.
sales_pipeline.set_contact_details = function (frm) {
	if (!frm.doc.contact_person) {
		frm.set_value({ contact_email: "", contact_mobile: "" });
		return;
	}
	frappe.db
		.get_value("Contact", frm.doc.contact_person, ["email_id", "mobile_no"])
		.then(({ message }) => {
			if (!message) return;
			frm.set_value({
				contact_email: message.email_id || "",
				contact_mobile: message.mobile_no || "",
			});
		});
};

// Item table behaviour: fill item details and keep amounts and the total up to date while
// the user types. The server computes them again on save; these only show them early.
sales_pipeline.item_table = {
	setup(child_doctype, { use_standard_rate = true } = {}) {
		frappe.ui.form.on(child_doctype, {
			item_code(frm, cdt, cdn) {
				const row = locals[cdt][cdn];
				if (!row.item_code) return;
				frappe.db
					.get_value("Pipeline Item", row.item_code, [
						"item_name",
						"description",
						"uom",
						"standard_rate",
					])
					.then(({ message: item }) => {
						if (!item) return;
						const values = {
							item_name: item.item_name,
							description: item.description,
							uom: item.uom,
						};
						if (use_standard_rate) values.rate = item.standard_rate;
						return frappe.model.set_value(cdt, cdn, values);
					});
			},
			qty(frm, cdt, cdn) {
				sales_pipeline.item_table.update_amount(frm, cdt, cdn);
			},
			rate(frm, cdt, cdn) {
				sales_pipeline.item_table.update_amount(frm, cdt, cdn);
			},
			items_remove(frm) {
				sales_pipeline.item_table.update_total(frm);
			},
		});
	},

	update_amount(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		const amount = flt(flt(row.qty) * flt(row.rate), precision("amount", row));
		frappe.model.set_value(cdt, cdn, "amount", amount).then(() => {
			sales_pipeline.item_table.update_total(frm);
		});
	},

	update_total(frm) {
		const total = (frm.doc.items || []).reduce((sum, row) => sum + flt(row.amount), 0);
		frm.set_value("total", flt(total, precision("total")));
		if (frm.fields_dict.opportunity_amount && (frm.doc.items || []).length) {
			frm.set_value("opportunity_amount", flt(total, precision("opportunity_amount")));
		}
	},
};
