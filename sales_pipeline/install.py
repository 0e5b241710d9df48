"""Install and uninstall steps. Every step is idempotent: it only adds what is missing."""

import frappe

SALES_ROLES = ("Sales User", "Sales Manager")

# The stages and probabilities ERPNext seeds, so users moving over find them again.
DEFAULT_SALES_STAGES = (
	("Prospecting", 10),
	("Qualification", 20),
	("Needs Analysis", 30),
	("Value Proposition", 40),
	("Identifying Decision Makers", 50),
	("Perception Analysis", 60),
	("Proposal/Price Quote", 75),
	("Negotiation/Review", 90),
)

DEFAULT_LOST_REASONS = (
	"Price too high",
	"Chose a competitor",
	"No budget",
	"No response from the customer",
	"Requirement changed",
	"Timing not right",
)

DEFAULT_SETTINGS = {
	"follow_up_event_duration": 30,
	"close_opportunity_after_days": 15,
	"default_quotation_validity": 30,
	"default_sales_stage": "Prospecting",
	"win_rate_months": 12,
	"win_rate_prior_weight": 10,
}


def before_install():
	# The DocTypes' permissions name these roles, so they must exist before the sync.
	create_sales_roles()


def after_install():
	create_sales_roles()
	create_default_sales_stages()
	create_default_lost_reasons()
	set_default_settings()


def before_uninstall():
	"""Remove what Frappe's uninstall leaves behind: the calendar Events and bell notifications the
	app made (they point at the DocTypes the uninstall drops), the app's Scheduled Job Types (each
	run would fail until the next migrate) and the Pipeline Settings values."""
	from sales_pipeline.sales_pipeline.follow_up import delete_all_follow_up_records

	delete_all_follow_up_records()
	delete_scheduled_job_types()
	delete_settings_values()


def delete_scheduled_job_types():
	"""Frappe deletes a Scheduled Job Type only when a migrate no longer finds its method in the
	installed apps' hooks: after uninstall-app the app's stay enabled, and every run fails with
	AppNotInstalledError. Deleting one also deletes its Scheduled Job Logs."""
	for name in frappe.get_all(
		"Scheduled Job Type", filters={"method": ("like", "sales_pipeline.%")}, pluck="name"
	):
		# Run by the administrator's uninstall; the jobs belong to this app and go with it.
		frappe.delete_doc("Scheduled Job Type", name, ignore_permissions=True, force=True)


def delete_settings_values():
	"""Dropping a Single DocType leaves its values in tabSingles."""
	frappe.db.delete("Singles", {"doctype": "Pipeline Settings"})
	frappe.clear_document_cache("Pipeline Settings", "Pipeline Settings")


def create_sales_roles():
	for role_name in SALES_ROLES:
		if not frappe.db.exists("Role", role_name):
			frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def create_default_sales_stages():
	for sort_order, (stage_name, probability) in enumerate(DEFAULT_SALES_STAGES, start=1):
		if not frappe.db.exists("Pipeline Sales Stage", stage_name):
			frappe.get_doc(
				{
					"doctype": "Pipeline Sales Stage",
					"stage_name": stage_name,
					"probability": probability,
					"sort_order": sort_order,
				}
			).insert(ignore_permissions=True)


def create_default_lost_reasons():
	for lost_reason in DEFAULT_LOST_REASONS:
		if not frappe.db.exists("Pipeline Lost Reason", lost_reason):
			frappe.get_doc({"doctype": "Pipeline Lost Reason", "lost_reason": lost_reason}).insert(
				ignore_permissions=True
			)


def set_default_settings():
	settings = frappe.get_single("Pipeline Settings")
	changed = False
	for fieldname, value in DEFAULT_SETTINGS.items():
		if value and not settings.get(fieldname):
			settings.set(fieldname, value)
			changed = True
	if changed:
		settings.flags.ignore_permissions = True
		settings.save()


def count_seed_rows() -> dict:
	"""Rows of everything the install seeds, for checking that a re-run adds nothing
	(`bench --site X execute sales_pipeline.install.count_seed_rows`)."""
	return {
		"roles": frappe.db.count("Role", {"name": ("in", SALES_ROLES)}),
		"sales_stages": frappe.db.count("Pipeline Sales Stage"),
		"lost_reasons": frappe.db.count("Pipeline Lost Reason"),
		"settings": frappe.db.count("Singles", {"doctype": "Pipeline Settings"}),
	}
