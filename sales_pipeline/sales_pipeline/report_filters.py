"""Checks for the filters the app's reports receive, and a guard that keeps a failing report from
being switched to "prepared report".

A report's filters come from the request as they are: `{"user": ["is", "set"]}` is as easy to send
as `{"user": "someone@example.com"}`. Each check below returns the value in the type the report
uses, or raises frappe.ValidationError naming the filter, before any query runs.
"""

import datetime
import functools
import threading

import frappe
from frappe import _
from frappe.utils import cint, escape_html


def refuse_filter(label: str, fieldname: str, reason: str):
	frappe.throw(
		_("Filter {0} ({1}): {2}").format(frappe.bold(_(label)), fieldname, reason),
		frappe.ValidationError,
		title=_("Invalid Filter"),
	)


def get_filters(filters) -> dict:
	"""The filters as sent, refused unless they are an object (or nothing)."""
	filters = filters or {}
	if not isinstance(filters, dict):
		frappe.throw(_("The report filters must be an object"), frappe.ValidationError)
	return filters


def check_date_order(from_date: datetime.date | None, to_date: datetime.date | None) -> None:
	if from_date and to_date and to_date < from_date:
		frappe.throw(_("To Date cannot be before From Date"), frappe.ValidationError)


def get_text_filter(filters: dict, fieldname: str, label: str) -> str | None:
	"""One text value, or None when the filter is empty."""
	value = filters.get(fieldname)
	if value in (None, ""):
		return None
	if not isinstance(value, str):
		refuse_filter(label, fieldname, _("a single value is expected"))
	return value


def get_date_filter(filters: dict, fieldname: str, label: str) -> datetime.date | None:
	"""A date sent as YYYY-MM-DD (what the desk sends), or None when the filter is empty."""
	value = filters.get(fieldname)
	if isinstance(value, datetime.datetime):
		return value.date()
	if isinstance(value, datetime.date):
		return value
	value = get_text_filter(filters, fieldname, label)
	if value is None:
		return None
	try:
		return datetime.date.fromisoformat(value)
	except ValueError:
		refuse_filter(label, fieldname, _("a date in the form YYYY-MM-DD is expected"))


def get_link_filter(filters: dict, fieldname: str, label: str, doctype: str) -> str | None:
	"""The name of an existing `doctype` record, or None when the filter is empty."""
	value = get_text_filter(filters, fieldname, label)
	if value is not None and not frappe.db.exists(doctype, value):
		# The value is shown escaped: a report's filters come from the URL too.
		refuse_filter(
			label, fieldname, _("{0} {1} does not exist").format(_(doctype), frappe.bold(escape_html(value)))
		)
	return value


def get_select_filter(
	filters: dict, fieldname: str, label: str, options: tuple[str, ...], default: str
) -> str:
	"""One of `options`; `default` when the filter is empty."""
	value = filters.get(fieldname)
	if value in (None, ""):
		return default
	if not isinstance(value, str) or value not in options:
		# The options are named, not the refused value: a report's filters come from the URL too.
		refuse_filter(label, fieldname, _("one of {0} is expected").format(", ".join(options)))
	return value


def get_check_filter(filters: dict, fieldname: str, label: str, default: int) -> int:
	"""0 or 1; `default` when the filter is empty."""
	value = filters.get(fieldname)
	if value in (None, ""):
		return default
	if isinstance(value, bool) or value in (0, 1) or value in ("0", "1"):
		return cint(value)
	refuse_filter(label, fieldname, _("0 or 1 is expected"))


def keep_interactive_when_failing(report_name: str):
	"""Decorate a Script Report's `execute` so that, when it raises, the report stays interactive.

	Frappe (v15) starts a 15-second timer before it calls `execute` and cancels it only when
	`execute` returns: a run that raises leaves the timer running, and it then switches the report
	to "prepared report" for every user (`enable_prepared_report` in
	frappe/core/doctype/report/report.py). This cancels that timer when `execute` raises. Timers of
	the same report started by other runs in this process are cancelled too: they only decide
	whether later runs are prepared in the background, never what a run returns.
	"""

	def decorate(execute):
		@functools.wraps(execute)
		def run(*args, **kwargs):
			try:
				return execute(*args, **kwargs)
			except BaseException:
				for timer in pending_prepared_report_timers(report_name):
					timer.cancel()
				raise

		return run

	return decorate


def pending_prepared_report_timers(report_name: str) -> list[threading.Timer]:
	"""Frappe's timers that will switch `report_name` of this site to "prepared report"."""
	from frappe.core.doctype.report.report import enable_prepared_report

	site = getattr(frappe.local, "site", None)
	return [
		thread
		for thread in threading.enumerate()
		if isinstance(thread, threading.Timer)
		and getattr(thread, "function", None) is enable_prepared_report
		and getattr(thread, "kwargs", None) == {"report": report_name, "site": site}
		and not thread.finished.is_set()
	]
