"""Row locks and deadlock retries for the writers of derived statuses.

A lead's status follows its opportunities and an opportunity's status follows its quotations.
Two requests that change siblings at the same moment (two quotations of one opportunity
cancelled together) must not both recompute the parent from what they saw before the other
committed. So every writer locks the rows it depends on, always in the same order:

	lead -> opportunity -> quotation -> follow-up row -> Event

and recomputes a parent with locking reads, which see the latest committed rows rather than the
transaction's snapshot. Frappe locks a document's own row when a save starts
(`check_if_latest`), so the controllers lock the rows that come before theirs just before that.
"""

import functools
import random
import time

import frappe
from frappe.query_builder import DocType

# Attempts of a request picked as a deadlock victim by the database before the error is shown.
DEADLOCK_ATTEMPTS = 4


def lock_rows(doctype: str, names) -> None:
	"""Lock the rows of `names` (in name order, so two callers never wait on each other crosswise)
	until the transaction ends."""
	names = sorted({name for name in names if name})
	if not names:
		return
	Table = DocType(doctype)
	frappe.qb.from_(Table).select(Table.name).where(Table.name.isin(names)).orderby(
		Table.name
	).for_update().run()


def lock_parties(party_pairs) -> None:
	"""Lock the leads among (party type, party name) pairs: the first rows of the lock order."""
	lock_rows("Pipeline Lead", [name for party_type, name in party_pairs if party_type == "Pipeline Lead"])


def lock_opportunity(name: str | None) -> None:
	"""Lock an opportunity after its lead, for a writer of one of its quotations."""
	if not name:
		return
	opportunity = frappe.db.get_value(
		"Pipeline Opportunity", name, ["opportunity_from", "party_name"], as_dict=True
	)
	if not opportunity:
		return
	lock_parties([(opportunity.opportunity_from, opportunity.party_name)])
	lock_rows("Pipeline Opportunity", [name])


def reload_for_update(doc) -> None:
	"""Replace `doc` with the stored document, read with a lock (so the latest committed version,
	not the transaction's snapshot). Whitelisted document methods start with this: run_doc_method
	with `docs` builds the document from the request, which must decide nothing."""
	if doc.is_new() or not doc.name:
		frappe.throw(
			frappe._("{0} has not been saved yet").format(frappe._(doc.doctype)), frappe.ValidationError
		)
	doc.flags.for_update = True
	try:
		doc.load_from_db()
	finally:
		doc.flags.for_update = False
	doc._original_modified = doc.modified


def retry_on_deadlock(method):
	"""Run a whitelisted function or document method again when the database picks its
	transaction as a deadlock victim (it has then rolled the whole transaction back). It must start
	from the stored document (reload_for_update), so a retry decides afresh."""

	@functools.wraps(method)
	def run(*args, **kwargs):
		for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
			try:
				return method(*args, **kwargs)
			except frappe.QueryDeadlockError:
				if attempt == DEADLOCK_ATTEMPTS:
					raise
				frappe.db.rollback()
				frappe.clear_messages()
				# Let the transaction that won finish before trying again.
				time.sleep(random.uniform(0.01, 0.05) * attempt)

	return run
