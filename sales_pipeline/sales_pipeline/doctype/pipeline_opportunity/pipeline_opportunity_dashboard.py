from frappe import _


def get_data():
	return {
		"fieldname": "opportunity",
		"transactions": [
			{"label": _("Quotations"), "items": ["Pipeline Quotation", "Pipeline Supplier Quotation"]},
			{"label": _("History"), "items": ["Pipeline Opportunity History"]},
		],
	}
