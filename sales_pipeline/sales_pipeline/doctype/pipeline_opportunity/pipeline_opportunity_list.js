frappe.listview_settings["Pipeline Opportunity"] = {
	add_fields: ["status", "opportunity_amount", "currency"],
	onload(listview) {
		listview.page.add_inner_button(__("Pipeline Board"), () => frappe.set_route("pipeline-board"));
	},
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
