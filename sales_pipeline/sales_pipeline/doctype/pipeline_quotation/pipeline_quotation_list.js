frappe.listview_settings["Pipeline Quotation"] = {
	add_fields: ["status", "docstatus"],
	has_indicator_for_draft: true,
	// Colour cancelled quotations with get_indicator too, not with Frappe's red "Cancelled".
	has_indicator_for_cancelled: true,
	get_indicator(doc) {
		const colors = { Draft: "red", Open: "orange", Ordered: "green", Lost: "gray", Cancelled: "gray" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
