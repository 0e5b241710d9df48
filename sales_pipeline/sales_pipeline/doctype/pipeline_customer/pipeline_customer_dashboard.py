from frappe import _


def get_data():
	return {
		"fieldname": "party_name",
		"dynamic_links": {"party_name": ["Pipeline Customer", "quotation_to"]},
		"transactions": [
			{"label": _("Pipeline"), "items": ["Pipeline Opportunity", "Pipeline Quotation"]},
		],
	}
