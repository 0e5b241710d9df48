frappe.listview_settings["Pipeline Opportunity"] = {
	add_fields: ["status", "opportunity_amount", "currency"],
	get_indicator(doc) {
		const colors = {
			Open: "orange",
			Replied: "purple",
			Quotation: "blue",
			Converted: "green",
			Lost: "red",
			Closed: "gray",
		};
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
