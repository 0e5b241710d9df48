"""What saving an opportunity sends to the database: nothing its controller has no use for. Counted
as Frappe's own assertQueryCount counts (tests/statements.py), on a fresh per-request cache."""

import frappe
from frappe.utils import add_days, now_datetime

from tests import factories
from tests.statements import recorded_statements, statements_of

ITEMS = 20


def statements_on(table: str, statements: list[str]) -> list[str]:
	return [statement for statement in statements if f"`tab{table}`" in statement]


def locking(statements: list[str]) -> list[str]:
	return [statement for statement in statements if "for update" in statement.lower()]


def stored_opportunity(**values):
	opportunity = factories.make_opportunity(items=ITEMS, **values)
	return frappe.get_doc("Pipeline Opportunity", opportunity.name)


def test_an_unchanged_save_neither_locks_nor_reads_the_lead_twice(as_user):
	"""The lead is read once (its name for the title) and not locked: a save that moves neither the
	party nor the status leaves the lead's status alone."""
	as_user(factories.SALES_USER)
	opportunity = stored_opportunity()
	statements = statements_of(opportunity.save)
	on_lead = statements_on("Pipeline Lead", statements)
	assert not locking(on_lead), "\n".join(on_lead)
	# Frappe's check of the `lead` link, and the party's names.
	assert len(on_lead) <= 2, "\n".join(on_lead)


def test_an_unchanged_save_of_twenty_items_sends_what_frappe_needs_and_two_reads(as_user):
	"""Frappe's save: the locked copy (3), a link check per item and per header link, the update of
	the document and of each row (and the two deletes of rows that went away); the controller adds
	its read of the stored party and of the party's names, and nothing per item."""
	as_user(factories.SALES_USER)
	opportunity = stored_opportunity()
	statements = statements_of(opportunity.save)
	header_links = 5  # opportunity_from, party_name / lead, opportunity_owner, sales_stage, currency
	frappe_save = 3 + ITEMS + header_links + 1 + ITEMS + 2 + 1  # + Energy Point Settings
	assert len(statements) <= frappe_save + 2, "\n".join(statements)
	assert not statements_on("Pipeline Item", [s for s in statements if not s.startswith("SELECT `name`")])


def test_a_new_opportunity_without_follow_up_touches_no_follow_up_row(as_user):
	as_user(factories.SALES_USER)
	lead = factories.make_lead()
	rows = factories.item_rows(2)
	with recorded_statements() as statements:
		factories.make_opportunity(lead, items=rows)
	assert not statements_on("Pipeline Follow Up", statements), "\n".join(statements)
	assert not statements_on("Event", statements)


def test_a_save_that_moves_the_party_locks_both_leads_before_the_opportunity(as_user):
	as_user(factories.SALES_USER)
	opportunity = stored_opportunity()
	previous_lead, new_lead = opportunity.party_name, factories.make_lead()
	opportunity.party_name = new_lead.name
	statements = statements_of(opportunity.save)
	lead_locks = locking(statements_on("Pipeline Lead", statements))
	assert previous_lead in lead_locks[0] and new_lead.name in lead_locks[0], "\n".join(statements)
	opportunity_lock = next(
		index
		for index, statement in enumerate(statements)
		if "FROM `tabPipeline Opportunity` WHERE `name`" in statement and "FOR UPDATE" in statement
	)
	assert statements.index(lead_locks[0]) < opportunity_lock
	assert frappe.db.get_value("Pipeline Lead", new_lead.name, "status") == "Opportunity"


def test_a_follow_up_set_on_a_save_is_written_once(as_user):
	as_user(factories.SALES_USER)
	opportunity = stored_opportunity()
	opportunity.update({"contact_by": factories.SALES_USER, "contact_date": add_days(now_datetime(), 1)})
	statements = statements_of(opportunity.save)
	assert len(statements_on("Event", [s for s in statements if s.startswith("INSERT")])) == 1


def test_an_unchanged_save_reads_no_item_even_where_an_item_has_no_description(as_user):
	"""A row gets its item's details when it is added (or its item changes), not on every save."""
	as_user(factories.SALES_USER)
	rows = factories.item_rows(2)
	for row in rows:
		frappe.db.set_value("Pipeline Item", row["item_code"], "description", None)
	opportunity = factories.make_opportunity(items=rows)
	assert all(row.item_name and not row.description for row in opportunity.items)
	statements = statements_of(frappe.get_doc("Pipeline Opportunity", opportunity.name).save)
	assert not [s for s in statements_on("Pipeline Item", statements) if not s.startswith("SELECT `name`")]
