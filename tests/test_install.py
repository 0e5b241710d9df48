"""The app installs on a real site: DocTypes synced, roles and seed data present, nothing twice."""

import json
from pathlib import Path

import frappe

from sales_pipeline import install

APP_DOCTYPE_FOLDER = Path(__file__).resolve().parent.parent / "sales_pipeline" / "sales_pipeline" / "doctype"
RESERVED_DOCTYPES = Path(__file__).resolve().parent / "data" / "reserved-doctypes.txt"


def app_doctypes() -> dict[str, dict]:
	doctypes = {}
	for path in APP_DOCTYPE_FOLDER.glob("*/*.json"):
		definition = json.loads(path.read_text())
		if definition.get("doctype") == "DocType":
			doctypes[definition["name"]] = definition
	return doctypes


def test_app_is_installed_on_the_site():
	"""The site lists sales_pipeline among its installed apps."""
	assert "sales_pipeline" in frappe.get_installed_apps()


def test_every_doctype_is_synced_with_its_table():
	"""Every DocType defined in the app exists on the site, in the app's module, with its table."""
	definitions = app_doctypes()
	assert len(definitions) == 16
	for name, definition in definitions.items():
		assert frappe.db.get_value("DocType", name, "module") == "Sales Pipeline", name
		if not definition.get("issingle"):
			assert frappe.db.table_exists(name), name
		synced_fields = {df.fieldname for df in frappe.get_meta(name).fields}
		assert {f["fieldname"] for f in definition["fields"]} <= synced_fields, name


def test_no_doctype_name_is_reserved_by_frappe_or_erpnext():
	"""No DocType of the app takes a name Frappe, ERPNext or Frappe CRM owns."""
	reserved = {
		line.strip()
		for line in RESERVED_DOCTYPES.read_text().splitlines()
		if line.strip() and not line.startswith("#")
	}
	assert len(reserved) > 1000
	names = set(app_doctypes())
	assert not names & reserved
	assert all(name.startswith("Pipeline ") for name in names)


def test_sales_roles_exist_with_desk_access():
	for role in install.SALES_ROLES:
		assert frappe.db.get_value("Role", role, "desk_access") == 1


def test_sales_stages_lost_reasons_and_settings_are_seeded():
	"""A fresh install has the default sales stages with their probabilities, lost reasons and settings."""
	for stage_name, probability in install.DEFAULT_SALES_STAGES:
		assert frappe.db.get_value("Pipeline Sales Stage", stage_name, "probability") == probability
	for lost_reason in install.DEFAULT_LOST_REASONS:
		assert frappe.db.exists("Pipeline Lost Reason", lost_reason)
	settings = frappe.get_single("Pipeline Settings")
	assert settings.default_sales_stage == "Prospecting"
	assert settings.follow_up_event_duration == 30
	assert settings.default_quotation_validity == 30


def test_running_the_install_steps_again_adds_nothing():
	"""after_install is idempotent: run again (as a re-install would), no row is added twice."""
	counted = ("Role", "Pipeline Sales Stage", "Pipeline Lost Reason")
	before = {doctype: frappe.db.count(doctype) for doctype in counted}
	install.after_install()
	install.after_install()
	assert {doctype: frappe.db.count(doctype) for doctype in counted} == before


def test_install_keeps_settings_an_administrator_changed():
	"""Re-running the install steps never overwrites a value the administrator set."""
	settings = frappe.get_single("Pipeline Settings")
	settings.default_quotation_validity = 45
	settings.save()
	install.after_install()
	assert frappe.db.get_single_value("Pipeline Settings", "default_quotation_validity") == 45


def test_permissions_in_the_doctype_json():
	"""Sales User never deletes, and cancels and amends only quotations (as in ERPNext); Sales Manager
	and System Manager may; All and Guest get nothing."""
	for name, definition in app_doctypes().items():
		if definition.get("istable"):
			assert not definition["permissions"], name
			continue
		if name in ("Pipeline Follow Up", "Pipeline Opportunity History"):
			continue  # kept by the app itself, see the next tests
		by_role = {perm["role"]: perm for perm in definition["permissions"]}
		assert not {"All", "Guest"} & set(by_role), name
		assert by_role["Sales User"].get("read"), name
		assert not by_role["Sales User"].get("delete"), name
		sales_user_cancels = name == "Pipeline Quotation"
		assert bool(by_role["Sales User"].get("cancel")) == sales_user_cancels, name
		assert bool(by_role["Sales User"].get("amend")) == sales_user_cancels, name
		assert by_role["System Manager"].get("write"), name
		assert by_role["Sales Manager"].get("write"), name
		if not definition.get("issingle"):
			assert by_role["Sales Manager"].get("delete"), name
		if definition.get("is_submittable"):
			assert by_role["Sales Manager"].get("cancel"), name


def test_follow_up_rows_are_written_by_the_app_only():
	"""Nobody creates or edits Pipeline Follow Up rows by hand; managers may read them."""
	definition = app_doctypes()["Pipeline Follow Up"]
	assert definition["in_create"]
	by_role = {perm["role"]: perm for perm in definition["permissions"]}
	assert set(by_role) == {"Sales Manager", "System Manager"}
	assert not any(perm.get("write") or perm.get("create") for perm in by_role.values())


def test_opportunity_history_is_written_by_the_app_only():
	"""Users read the opportunity history; nobody creates, edits or deletes a row by hand."""
	definition = app_doctypes()["Pipeline Opportunity History"]
	assert definition["in_create"]
	by_role = {perm["role"]: perm for perm in definition["permissions"]}
	assert set(by_role) == {"Sales User", "Sales Manager", "System Manager"}
	assert all(perm.get("read") for perm in by_role.values())
	assert not any(
		perm.get(right) for perm in by_role.values() for right in ("write", "create", "delete", "submit")
	)


def test_transactions_use_naming_series_and_track_changes():
	for name in (
		"Pipeline Opportunity",
		"Pipeline Quotation",
		"Pipeline Supplier Quotation",
		"Pipeline Lead",
	):
		meta = frappe.get_meta(name)
		assert meta.autoname == "naming_series:", name
		assert meta.track_changes, name
	assert frappe.get_meta("Pipeline Opportunity").get_field("naming_series").options == "OPP-.YYYY.-"


def test_filtered_fields_are_indexed():
	"""The fields lists, reports and the follow-up job filter by carry a database index."""
	indexed = {
		"Pipeline Opportunity": (
			"status",
			"party_name",
			"contact_by",
			"contact_date",
			"expected_closing",
			"sales_stage",
		),
		"Pipeline Lead": ("status", "email_id", "contact_by", "contact_date"),
		"Pipeline Quotation": ("status", "opportunity", "party_name"),
		"Pipeline Supplier Quotation": ("status", "opportunity", "supplier"),
	}
	for doctype, fieldnames in indexed.items():
		index_columns = {
			row.Column_name for row in frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}`", as_dict=True)
		}
		for fieldname in fieldnames:
			assert fieldname in index_columns, (doctype, fieldname)


def test_uninstall_removes_the_scheduled_jobs_and_the_settings_values():
	"""Frappe's uninstall-app drops the DocTypes but leaves the app's Scheduled Job Types enabled
	(each run would then fail with AppNotInstalledError) and Pipeline Settings in tabSingles: the
	app's before_uninstall removes both. (scripts/check-install-cycle.sh runs a real uninstall.)"""
	app_jobs = {"method": ("like", "sales_pipeline.%")}
	scheduled = set(frappe.get_all("Scheduled Job Type", filters=app_jobs, pluck="method"))
	assert "sales_pipeline.sales_pipeline.follow_up.send_follow_up_reminders" in scheduled
	assert frappe.db.count("Singles", {"doctype": "Pipeline Settings"})
	other_jobs = frappe.db.count("Scheduled Job Type") - len(scheduled)
	install.delete_scheduled_job_types()
	install.delete_settings_values()
	assert not frappe.db.count("Scheduled Job Type", app_jobs)
	assert frappe.db.count("Scheduled Job Type") == other_jobs
	assert not frappe.db.count("Singles", {"doctype": "Pipeline Settings"})


def test_before_uninstall_runs_the_removal():
	"""The hook Frappe calls is the one that removes them."""
	assert frappe.get_hooks("before_uninstall", app_name="sales_pipeline") == [
		"sales_pipeline.install.before_uninstall",
		"sales_pipeline.sales_pipeline.global_search.remove_from_global_search",
	]
	install.before_uninstall()
	assert not frappe.db.count("Scheduled Job Type", {"method": ("like", "sales_pipeline.%")})
	assert not frappe.db.count("Singles", {"doctype": "Pipeline Settings"})
