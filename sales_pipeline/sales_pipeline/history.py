# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

"""Opportunity history: one Pipeline Opportunity History row when an opportunity is created and
one each time a tracked field changes, written from the opportunity's `on_change`, which Frappe
runs after every insert and save and after every `db_set`, whatever path made the change (form,
board, quotations, lost / close / reopen, scheduler jobs). The state of an opportunity at a
moment T is its last row with `changed_on <= T` (ties broken by the row's increasing name)."""

import frappe
from frappe.utils import flt, get_datetime, getdate, now_datetime

HISTORY_DOCTYPE = "Pipeline Opportunity History"
TRACKED_FIELDS = (
	"sales_stage",
	"status",
	"opportunity_amount",
	"probability",
	"expected_closing",
	"currency",
)
# Every column a history row carries, in the order `bulk_insert` writes them.
HISTORY_COLUMNS = (
	"name",
	"opportunity",
	"changed_on",
	"changed_by",
	"from_stage",
	"from_status",
	*TRACKED_FIELDS,
	"owner",
	"modified_by",
	"creation",
	"modified",
)


def get_tracked_values(doc) -> tuple:
	"""The tracked fields of an opportunity (or of a stored copy), normalised so that a value read
	back from the database compares equal to the one the form sent."""
	closing = doc.get("expected_closing")
	return (
		doc.get("sales_stage") or None,
		doc.get("status") or None,
		flt(doc.get("opportunity_amount"), 6),
		flt(doc.get("probability"), 6),
		getdate(closing) if closing else None,
		doc.get("currency") or None,
	)


def record_change(doc) -> None:
	"""Called from the opportunity's `on_change`: write a history row when this is the first save
	of the opportunity or a tracked field differs from the last values recorded for it.

	The comparison is with the values this object last recorded when it recorded some (a `db_set`
	after a save in the same request), else with the copy Frappe loaded before the save or
	`db_set`."""
	if doc.flags.in_delete:
		return
	current = get_tracked_values(doc)
	previous = doc.flags.history_values
	if previous is None:
		before = doc.get_doc_before_save()
		previous = get_tracked_values(before) if before else None
	if previous == current:
		return
	insert_history_row(
		opportunity=doc.name,
		values=dict(zip(TRACKED_FIELDS, current, strict=True)),
		from_stage=previous[0] if previous else None,
		from_status=previous[1] if previous else None,
	)
	doc.flags.history_values = current


def insert_history_row(opportunity: str, values: dict, from_stage=None, from_status=None, changed_on=None):
	changed_on = changed_on or now_datetime()
	history = frappe.get_doc(
		{
			"doctype": HISTORY_DOCTYPE,
			"opportunity": opportunity,
			"changed_on": changed_on,
			"changed_by": frappe.session.user,
			"from_stage": from_stage,
			"from_status": from_status,
			**values,
		}
	)
	# The values come from the opportunity just saved, whose links were checked there.
	history.flags.ignore_links = True
	# History is written by the server only: users have read access to it and nothing more.
	history.insert(ignore_permissions=True)
	return history


def delete_history(opportunity: str) -> None:
	"""Called when the opportunity is deleted: its history goes with it."""
	frappe.db.delete(HISTORY_DOCTYPE, {"opportunity": opportunity})


def reserve_history_names(count: int) -> list[int]:
	"""`count` consecutive names from the History DocType's sequence, taken with two statements, for
	writers that insert many rows at once (the install patch, the history generator)."""
	if count <= 0:
		return []
	first = frappe.db.get_next_sequence_val(HISTORY_DOCTYPE)
	if count > 1:
		frappe.db.set_next_sequence_val(HISTORY_DOCTYPE, first + count - 1, is_val_used=True)
	return list(range(first, first + count))


def bulk_insert_history(rows: list[dict]) -> None:
	"""Insert ready-made history rows (each a dict of HISTORY_COLUMNS but `name` and the
	owner/timestamps, which are filled in) in one statement per 10,000 rows."""
	names = reserve_history_names(len(rows))
	values = []
	for name, row in zip(names, rows, strict=True):
		changed_on = get_datetime(row["changed_on"])
		changed_by = row.get("changed_by") or "Administrator"
		values.append(
			(
				name,
				row["opportunity"],
				changed_on,
				changed_by,
				row.get("from_stage"),
				row.get("from_status"),
				*(row.get(field) for field in TRACKED_FIELDS),
				changed_by,
				changed_by,
				changed_on,
				changed_on,
			)
		)
	frappe.db.bulk_insert(HISTORY_DOCTYPE, HISTORY_COLUMNS, values, chunk_size=10_000)


def add_missing_history() -> int:
	"""A first row, from their current values at their creation time, for the opportunities that
	have none (made before the app kept history). Returns how many rows were written."""
	Opportunity = frappe.qb.DocType("Pipeline Opportunity")
	History = frappe.qb.DocType(HISTORY_DOCTYPE)
	with_history = frappe.qb.from_(History).select(History.opportunity).distinct()
	written = 0
	while True:
		batch = (
			frappe.qb.from_(Opportunity)
			.select(Opportunity.name, Opportunity.creation, Opportunity.owner, *TRACKED_FIELDS)
			.where(Opportunity.name.notin(with_history))
			.orderby(Opportunity.name)
			.limit(5_000)
			.run(as_dict=True)
		)
		if not batch:
			return written
		bulk_insert_history(
			[
				{
					"opportunity": row.name,
					"changed_on": row.creation,
					"changed_by": row.owner,
					**{field: row.get(field) for field in TRACKED_FIELDS},
				}
				for row in batch
			]
		)
		written += len(batch)


def get_state_as_of(opportunity: str, moment) -> frappe._dict | None:
	"""The tracked values of an opportunity as they stood at `moment`: its last history row
	changed on or before it."""
	rows = frappe.get_all(
		HISTORY_DOCTYPE,
		filters={"opportunity": opportunity, "changed_on": ("<=", get_datetime(moment))},
		fields=["changed_on", *TRACKED_FIELDS],
		order_by="changed_on desc, name desc",
		limit=1,
	)
	return rows[0] if rows else None


def get_permission_query_conditions(user: str | None = None) -> str:
	"""A user reads the history of the opportunities they may read, and no other: the same
	conditions (User Permissions, "only if creator", shares) as a list of opportunities, applied
	to the history's opportunity."""
	from frappe.model.db_query import DatabaseQuery

	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	query = DatabaseQuery("Pipeline Opportunity", user=user)
	try:
		conditions = query.build_match_conditions()
	except frappe.PermissionError:
		return "1 = 0"
	if not conditions:
		return ""
	return (
		f"`tab{HISTORY_DOCTYPE}`.`opportunity` in "
		f"(select `tabPipeline Opportunity`.`name` from `tabPipeline Opportunity` where {conditions})"
	)


def has_permission(doc, ptype: str = "read", user: str | None = None) -> bool | None:
	"""A history row is readable by whoever may read its opportunity."""
	if not doc or isinstance(doc, str) or not doc.get("opportunity"):
		return None
	if not frappe.has_permission("Pipeline Opportunity", "read", doc=doc.opportunity, user=user):
		return False
	return None
