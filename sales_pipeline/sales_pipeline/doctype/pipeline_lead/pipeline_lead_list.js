frappe.listview_settings["Pipeline Lead"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colors = {
			Lead: "gray",
			Open: "orange",
			Replied: "purple",
			Interested: "yellow",
			Opportunity: "blue",
			Quotation: "cyan",
			"Lost Quotation": "red",
			Converted: "green",
			"Do Not Contact": "darkgrey",
		};
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
