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

# Helpers the pipeline forms share (party type queries, item table amounts, reloading a form the
# server changed), from public/js/sales_pipeline.bundle.js. `bench build` names the built file after
# its content, so after a deploy browsers load the new one instead of a cached copy.
app_include_js = "sales_pipeline.bundle.js"

# Installation
# ------------

before_install = "sales_pipeline.install.before_install"
after_install = [
	"sales_pipeline.install.after_install",
	"sales_pipeline.sales_pipeline.follow_up.create_event_marker_field",
	"sales_pipeline.sales_pipeline.global_search.allow_in_global_search",
]

# Migration
# ------------

# Keeps the hidden Event field that marks the follow-up Events the app made, and the app's DocTypes
# in Global Search Settings.
after_migrate = [
	"sales_pipeline.sales_pipeline.follow_up.create_event_marker_field",
	"sales_pipeline.sales_pipeline.global_search.allow_in_global_search",
]

# Uninstallation
# ------------

before_uninstall = [
	"sales_pipeline.install.before_uninstall",
	"sales_pipeline.sales_pipeline.global_search.remove_from_global_search",
]

# Global Search
# -------------

# Found by the awesomebar and the search page: their `in_global_search` fields and their names.
global_search_doctypes = {
	"Default": [
		{"doctype": "Pipeline Lead"},
		{"doctype": "Pipeline Customer"},
		{"doctype": "Pipeline Opportunity"},
		{"doctype": "Pipeline Quotation"},
		{"doctype": "Pipeline Supplier"},
	]
}

# Frappe's global search checks only the DocType; this one also drops the app's records the user
# may not read (User Permissions on customers and leads).
override_whitelisted_methods = {
	"frappe.utils.global_search.search": "sales_pipeline.sales_pipeline.global_search.search",
}


# Document Events
# ---------------

# The opportunity history is read with the permissions of its opportunity.
permission_query_conditions = {
	"Pipeline Opportunity History": "sales_pipeline.sales_pipeline.history.get_permission_query_conditions",
	# User Permissions on leads and customers in a form their indexes serve.
	"Pipeline Lead": "sales_pipeline.sales_pipeline.user_permission_conditions.get_permission_query_conditions",
	"Pipeline Customer": "sales_pipeline.sales_pipeline.user_permission_conditions.get_permission_query_conditions",
	"Pipeline Opportunity": "sales_pipeline.sales_pipeline.user_permission_conditions.get_permission_query_conditions",
	"Pipeline Quotation": "sales_pipeline.sales_pipeline.user_permission_conditions.get_permission_query_conditions",
	"Pipeline Supplier Quotation": "sales_pipeline.sales_pipeline.user_permission_conditions.get_permission_query_conditions",
}
has_permission = {
	"Pipeline Opportunity History": "sales_pipeline.sales_pipeline.history.has_permission",
}

doc_events = {
	"Event": {
		"before_insert": "sales_pipeline.sales_pipeline.follow_up.set_follow_up_event_owner",
		# A follow-up Event marked Completed in the calendar completes the document's follow-up.
		"on_update": "sales_pipeline.sales_pipeline.follow_up.completion.complete_follow_up_from_event",
	},
}

# Scheduled Tasks
# ---------------

scheduler_events = {
	# Follow-ups due today: their Events and the Next Contact By user's notification. Every quarter
	# of an hour, so a follow-up set during the day for later that day is announced too; a run
	# with nothing new to announce costs one indexed query per DocType.
	"cron": {
		"*/15 * * * *": [
			"sales_pipeline.sales_pipeline.follow_up.send_follow_up_reminders",
		],
	},
	"daily": [
		"sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity.close_replied_opportunities",
	],
}

# Development
# -----------

# Keep the typed field list at the top of each controller in step with its JSON.
export_python_type_annotations = True
