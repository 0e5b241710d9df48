"""Counting the statements code sends to the database, as Frappe's own
`FrappeTestCase.assertQueryCount` counts them: every call of `frappe.db.sql`."""

import contextlib

import frappe


@contextlib.contextmanager
def recorded_statements():
	"""The statements sent inside the block, as a list that fills while it runs. A new request
	starts without Frappe's per-request cache of looked-up values: so does the block."""
	statements = []
	database_class = frappe.db.__class__
	original_sql = database_class.sql

	def sql(db, *args, **kwargs):
		result = original_sql(db, *args, **kwargs)
		statements.append(db.last_query)
		return result

	frappe.db.value_cache.clear()
	database_class.sql = sql
	try:
		yield statements
	finally:
		database_class.sql = original_sql


def statements_of(function, *args, **kwargs) -> list[str]:
	with recorded_statements() as statements:
		function(*args, **kwargs)
	return statements
