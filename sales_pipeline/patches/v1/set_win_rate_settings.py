import frappe

from sales_pipeline.sales_pipeline.forecast import DEFAULT_PRIOR_WEIGHT, DEFAULT_WIN_RATE_MONTHS


def execute():
	"""Pipeline Settings fields added after the site was installed read 0 until someone saves the
	settings: store their documented defaults where the site has no value yet."""
	for fieldname, value in (
		("win_rate_months", DEFAULT_WIN_RATE_MONTHS),
		("win_rate_prior_weight", DEFAULT_PRIOR_WEIGHT),
	):
		if not frappe.db.exists("Singles", {"doctype": "Pipeline Settings", "field": fieldname}):
			frappe.db.set_single_value("Pipeline Settings", fieldname, value)
