from frappe import _


def get_data():
	return {
		"fieldname": "party_name",
		"non_standard_fieldnames": {"Pipeline Customer": "lead_name"},
		"dynamic_links": {"party_name": ["Pipeline Lead", "quotation_to"]},
		"transactions": [
			{"label": _("Pipeline"), "items": ["Pipeline Opportunity", "Pipeline Quotation"]},
			{"label": _("Customer"), "items": ["Pipeline Customer"]},
		],
	}
