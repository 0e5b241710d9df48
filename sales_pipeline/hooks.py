app_name = "sales_pipeline"
app_title = "Sales Pipeline"
app_publisher = "sales_pipeline developers"
app_description = "Leads, opportunities, follow-up reminders and quotations for any Frappe site"
app_email = "developers@sales-pipeline.invalid"
app_license = "mit"

# Apps
# ------------------
# Runs on plain Frappe; ERPNext is not required. Every DocType is prefixed
# "Pipeline " so that none of ERPNext's is ever overwritten.

# Includes in <head>
# ------------------

# Helpers the pipeline forms share (party type queries, item table amounts).
app_include_js = "/assets/sales_pipeline/js/sales_pipeline.js"

# Installation
# ------------

before_install = "sales_pipeline.install.before_install"
after_install = "sales_pipeline.install.after_install"


# Scheduled Tasks
# ---------------

scheduler_events = {
	"daily": [
		"sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity.close_replied_opportunities",
	],
}

# Development
# -----------

# Keep the typed field list at the top of each controller in step with its JSON.
export_python_type_annotations = True
