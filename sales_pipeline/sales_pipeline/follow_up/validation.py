"""Checks of "Next Contact By" + "Next Contact Date" when a lead or opportunity is saved."""

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from sales_pipeline.sales_pipeline.follow_up.records import LATEST_FOLLOW_UP


def validate_follow_up(doc) -> None:
	"""Next Contact By and Next Contact Date come together, name an enabled desk user who can open
	the document, and a date not in the past. The user and date are checked only when one of them
	changes, so an old follow-up never blocks an unrelated edit."""
	if not doc.contact_by and not doc.contact_date:
		return
	by_label, date_label = _(doc.meta.get_label("contact_by")), _(doc.meta.get_label("contact_date"))
	if not doc.contact_by:
		frappe.throw(
			_("{0} is required when {1} is set").format(by_label, date_label),
			frappe.ValidationError,
			title=_("Incomplete Follow-up"),
		)
	if not doc.contact_date:
		frappe.throw(
			_("{0} is required when {1} is set").format(date_label, by_label),
			frappe.ValidationError,
			title=_("Incomplete Follow-up"),
		)

	date_changed = doc.has_value_changed("contact_date")
	if date_changed or doc.has_value_changed("contact_by"):
		validate_follow_up_user(doc, by_label)
	if date_changed and get_datetime(doc.contact_date) > get_datetime(LATEST_FOLLOW_UP):
		frappe.throw(
			_("{0} must be before {1}").format(date_label, LATEST_FOLLOW_UP[:4]),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	# Times are picked to the minute; the current minute still counts as now.
	if date_changed and get_datetime(doc.contact_date) < now_datetime().replace(second=0, microsecond=0):
		frappe.throw(
			_("{0} cannot be in the past").format(date_label),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)


def validate_follow_up_user(doc, label: str) -> None:
	user = frappe.db.get_value("User", doc.contact_by, ["enabled", "user_type"], as_dict=True)
	if not user or doc.contact_by == "Guest" or user.user_type != "System User":
		frappe.throw(
			_("{0}: {1} is not a desk user and cannot follow up").format(label, frappe.bold(doc.contact_by)),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	if not user.enabled:
		frappe.throw(
			_("{0}: user {1} is disabled").format(label, frappe.bold(doc.contact_by)),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
	if not frappe.has_permission(doc.doctype, "read", doc=doc, user=doc.contact_by):
		frappe.throw(
			_("{0}: {1} has no access to this {2}").format(
				label, frappe.bold(doc.contact_by), _(doc.doctype)
			),
			frappe.ValidationError,
			title=_("Invalid Follow-up"),
		)
