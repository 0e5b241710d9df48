// Desk helpers shared by the pipeline forms. Loaded on every desk page (hooks.app_include_js), built
// by `bench build` into a file whose name changes with its content, so a deploy reaches every browser.
frappe.provide("sales_pipeline");

sales_pipeline.PARTY_DOCTYPES = ["Pipeline Lead", "Pipeline Customer"];

// Limit a "Link to DocType" party field to Pipeline Lead / Pipeline Customer.
sales_pipeline.set_party_type_query = function (frm, fieldname) {
	frm.set_query(fieldname, () => ({
		filters: { name: ["in", sales_pipeline.PARTY_DOCTYPES] },
	}));
};

// The server moves the status of an opportunity or a lead when something happens elsewhere: a
// quotation submitted, cancelled or ordered, an opportunity made from a lead, a customer made from a
// lead. The desk keeps the forms it has shown in memory and refreshes them on a realtime doc_update,
// which does not come without socket.io. So, each time such a form is shown, ask the server for the
// document's `modified` and reload the form when it differs. A form with unsaved changes keeps them
// and says, in Frappe's words, that it is out of date.
sales_pipeline.reload_if_changed_on_server = function (frm) {
	if (frm.is_new()) return;
	const { doctype, name, modified } = frm.doc;
	return frappe.db.get_value(doctype, name, "modified").then(({ message }) => {
		// Another document shown, or this one reloaded or saved, meanwhile: nothing to do.
		if (frm.doc.name !== name || frm.doc.modified !== modified) return;
		if (!message || message.modified === modified) return;
		if (frm.is_dirty()) {
			frm.set_intro(__("This form has been modified after you have loaded it"), "yellow");
			return;
		}
		return frm.reload_doc();
	});
};

// The calendar view of follow-ups (Next Contact Date) of Pipeline Opportunity and Pipeline Lead.
// Dragging one to another time moves the follow-up, and with it the Event in the Next Contact
// By user's calendar.
// A new object each time: the calendar view may keep state on it.
sales_pipeline.follow_up_calendar = function () {
	return {
		field_map: {
			start: "contact_date",
			// The follow-up's Event's end, so it shows with its real duration.
			end: "ends_on",
			id: "name",
			title: "title",
		},
		get_events_method: "sales_pipeline.sales_pipeline.follow_up.get_follow_up_calendar_events",
		// The calendar merges these settings into itself: ask for the user's own follow-ups unless
		// the list's "Next Contact By" filter names someone.
		get_args(start, end) {
			const args = frappe.views.Calendar.prototype.get_args.call(this, start, end);
			return { ...args, mine_unless_filtered: 1 };
		},
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

// The lost-reasons dialog: one or more Pipeline Lost Reasons and a detail. `declare(args)` asks
// the server and returns a promise; the dialog closes when it resolves and stays open to try again
// when it fails (the server's message is on show).
sales_pipeline.make_lost_dialog = function (declare) {
	const dialog = new frappe.ui.Dialog({
		title: __("Set as Lost"),
		fields: [
			{
				fieldname: "lost_reasons",
				fieldtype: "Table MultiSelect",
				label: __("Lost Reasons"),
				options: "Pipeline Lost Reason Detail",
				reqd: 1,
			},
			{
				fieldname: "detailed_reason",
				fieldtype: "Small Text",
				label: __("Detailed Reason"),
			},
		],
		primary_action_label: __("Declare Lost"),
		primary_action(values) {
			const args = {
				lost_reasons_list: values.lost_reasons,
				detailed_reason: values.detailed_reason,
			};
			Promise.resolve(declare(args))
				.then(() => dialog.hide())
				.catch(() => {});
		},
	});
	return dialog;
};

// "Set as Lost" on an opportunity or a quotation form: run the document's declare_enquiry_lost and
// show the document as the server left it.
sales_pipeline.declare_lost = function (frm) {
	const dialog = sales_pipeline.make_lost_dialog((args) =>
		frm
			.call({ doc: frm.doc, method: "declare_enquiry_lost", args, freeze: true })
			.then(() => frm.reload_doc())
	);
	dialog.show();
	return dialog;
};

// "Follow-up done" on a lead or opportunity with an open follow-up: a dialog for the outcome and the
// next follow-up, prefilled with the same user on the next working day at the same time. The
// server records it (complete_follow_up) and the form shows the document as it left it.
sales_pipeline.add_follow_up_done_button = function (frm, closed_statuses) {
	if (frm.is_new() || !frm.has_perm("write")) return;
	if (!frm.doc.contact_by || !frm.doc.contact_date || closed_statuses.includes(frm.doc.status)) return;
	frm.add_custom_button(__("Follow-up done"), () => sales_pipeline.follow_up_done(frm));
};

sales_pipeline.next_working_day = function (time_of) {
	const next = moment(frappe.datetime.now_date()).add(1, "days");
	while ([0, 6].includes(next.day())) next.add(1, "days");
	const time = moment(frappe.datetime.str_to_obj(time_of));
	next.hours(time.hours()).minutes(time.minutes()).seconds(0);
	return frappe.datetime.get_datetime_as_string(next.toDate());
};

sales_pipeline.follow_up_done = function (frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Follow-up done"),
		fields: [
			{
				fieldname: "note",
				fieldtype: "Small Text",
				label: __("Outcome"),
				description: __("Goes on the timeline"),
			},
			{ fieldname: "next_section", fieldtype: "Section Break", label: __("Next Follow-up") },
			{
				fieldname: "next_contact_by",
				fieldtype: "Link",
				options: "User",
				label: __("Next Contact By"),
				default: frm.doc.contact_by,
			},
			{
				fieldname: "next_contact_date",
				fieldtype: "Datetime",
				label: __("Next Contact Date"),
				default: sales_pipeline.next_working_day(frm.doc.contact_date),
				description: __("Clear both for no next follow-up"),
			},
		],
		primary_action_label: __("Done"),
		primary_action(values) {
			frm.call({
				doc: frm.doc,
				method: "complete_follow_up",
				args: {
					note: values.note || null,
					next_contact_by: values.next_contact_by || null,
					next_contact_date: values.next_contact_date || null,
				},
				freeze: true,
			})
				.then(() => dialog.hide())
				.then(() => frm.reload_doc());
		},
	});
	dialog.show();
	return dialog;
};

// Run a whitelisted method of a stored opportunity (the server decides from the stored document).
sales_pipeline.run_opportunity_method = function (name, method, args) {
	return frappe.xcall("run_doc_method", {
		dt: "Pipeline Opportunity",
		dn: name,
		method,
		args: JSON.stringify(args || {}),
	});
};

// "Set as Lost" for a page that has only the opportunity's name (the pipeline board): declares it
// lost on the server, then calls `on_done`. The Table MultiSelect needs the child DocType's meta,
// which comes with the opportunity's.
sales_pipeline.declare_opportunity_lost = function (name, { on_done } = {}) {
	frappe.model.with_doctype("Pipeline Opportunity", () =>
		sales_pipeline
			.make_lost_dialog((args) => {
				frappe.dom.freeze();
				return sales_pipeline
					.run_opportunity_method(name, "declare_enquiry_lost", args)
					.then(() => on_done && on_done())
					.finally(() => frappe.dom.unfreeze());
			})
			.show()
	);
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
				const row = frappe.get_doc(cdt, cdn);
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
		const row = frappe.get_doc(cdt, cdn);
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

// The date filters of the app's reports. A report takes its filters from the URL too
// (/app/query-report/<report>?to_date=...), and Frappe's Date control (v15) shows a value it
// refuses in a message box as HTML, so a link whose date is `<img src=x onerror=...>` would run
// script in the browser of whoever opens it. Frappe copies a filter's definition onto its control
// (setup_filters in query_report.js): as a filter's `validate`, this is the control's check, with
// the refused value shown as text.
sales_pipeline.refuse_a_value_that_is_not_a_date = function (value) {
	if (value && !frappe.datetime.validate(value)) {
		frappe.msgprint(
			__("{0}: {1} is not a date", [__(this.df.label), frappe.utils.escape_html(value)]),
			__("Invalid Date")
		);
		return "";
	}
	return value;
};

// As a date filter's `on_change`: refresh the report only on a valid range; an inverted one is
// pointed out instead of being sent.
sales_pipeline.refresh_if_range_is_valid = function (report) {
	const from_date = report.get_filter_value("from_date");
	const to_date = report.get_filter_value("to_date");
	if (from_date && to_date && to_date < from_date) {
		frappe.show_alert({ message: __("To Date cannot be before From Date"), indicator: "red" });
		return;
	}
	report.refresh();
};

// The Currency filter of the app's reports. Frappe gives no permission on Currency to a Sales
// Manager who is not also a Sales User, so its own search and check of a Currency refuse one: the
// app's search lists the enabled currencies to anyone who may read opportunities, and each report
// refuses a currency that does not exist.
sales_pipeline.currency_report_filter = function () {
	return {
		fieldname: "currency",
		label: __("Currency"),
		fieldtype: "Link",
		options: "Currency",
		default: frappe.defaults.get_global_default("currency"),
		reqd: 1,
		get_query: () => ({ query: "sales_pipeline.sales_pipeline.currency.search_currencies" }),
		ignore_link_validation: 1,
	};
};
