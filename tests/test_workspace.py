"""The Sales Pipeline workspace and its number cards, as a sales user sees them."""

import json

import frappe
import pytest
from frappe.desk.doctype.number_card.number_card import get_result
from frappe.utils import add_to_date, now_datetime

from tests import factories

NUMBER_CARDS = (
	"Open Opportunities",
	"Open Pipeline Amount",
	"My Opportunity Follow-ups Today",
	"My Overdue Follow-ups",
	"New Leads This Month",
)


def card_value(name: str) -> float:
	"""The number the desk shows on the card, computed through the method the desk calls."""
	card = frappe.get_doc("Number Card", name)
	if card.type == "Custom":
		return frappe.call(card.method, filters=card.filters_json)["value"]
	filters = json.loads(card.filters_json or "[]")
	for doctype, fieldname, operator, value, *_ in json.loads(card.dynamic_filters_json or "[]"):
		filters.append(
			[
				doctype,
				fieldname,
				operator,
				frappe.safe_eval(value, None, {"frappe": frappe._dict(session=frappe.session)}),
			]
		)
	return get_result(card.as_dict(), filters)


def test_the_workspace_is_for_sales_roles_only():
	workspace = frappe.get_doc("Workspace", "Sales Pipeline")
	assert {row.role for row in workspace.roles} == {"Sales User", "Sales Manager"}
	assert {row.number_card_name for row in workspace.number_cards} == set(NUMBER_CARDS)
	for link in workspace.links:
		if link.type == "Link":
			assert frappe.db.exists(link.link_type, link.link_to), link.link_to


def test_the_number_cards_count_what_their_labels_say(as_user):
	as_user(factories.SALES_USER)
	before = {name: card_value(name) for name in NUMBER_CARDS}
	factories.make_opportunity(items=0, opportunity_amount=1500)
	closed = factories.make_opportunity(items=0, opportunity_amount=999)
	closed.close_opportunity()
	mine = factories.make_opportunity(items=0, opportunity_amount=0)
	mine.update({"contact_by": factories.SALES_USER, "contact_date": add_to_date(now_datetime(), minutes=5)})
	mine.save()
	after = {name: card_value(name) for name in NUMBER_CARDS}
	assert after["Open Opportunities"] - before["Open Opportunities"] == 2
	assert after["Open Pipeline Amount"] - before["Open Pipeline Amount"] == 1500
	# Three new leads: one per opportunity.
	assert after["New Leads This Month"] - before["New Leads This Month"] == 3
	if add_to_date(now_datetime(), minutes=5).date() == now_datetime().date():
		assert after["My Opportunity Follow-ups Today"] - before["My Opportunity Follow-ups Today"] == 1


def test_the_open_pipeline_amount_adds_up_the_default_currency_only(as_user):
	"""Euros do not add to dollars: the card adds up the open opportunities in the site's default
	currency (and those without a currency, which the desk shows in it), and its label says so."""
	default_currency = frappe.db.get_default("currency")
	other_currency = "EUR" if default_currency != "EUR" else "USD"
	as_user(factories.SALES_USER)
	before = card_value("Open Pipeline Amount")
	factories.make_opportunity(items=0, opportunity_amount=1200, currency=default_currency)
	factories.make_opportunity(items=0, opportunity_amount=50_000, currency=other_currency)
	assert card_value("Open Pipeline Amount") - before == 1200
	card = frappe.get_doc("Number Card", "Open Pipeline Amount")
	shown = frappe.call(card.method, filters="[]")
	assert (shown["fieldtype"], shown["route_options"]["currency"]) == ("Currency", default_currency)
	workspace = frappe.get_doc("Workspace", "Sales Pipeline")
	labels = {row.number_card_name: row.label for row in workspace.number_cards}
	assert labels["Open Pipeline Amount"] == card.label == "Open Pipeline Amount (Default Currency)"


def test_the_open_pipeline_amount_is_refused_to_a_user_without_a_sales_role(as_user):
	card = frappe.get_doc("Number Card", "Open Pipeline Amount")
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		frappe.call(card.method, filters="[]")


def test_the_overdue_card_counts_my_follow_ups_whose_day_passed(as_user):
	"""Overdue: the user's open follow-ups (leads and opportunities) from before today; not today's,
	not a colleague's, not a closed opportunity's."""
	from freezegun import freeze_time

	with freeze_time("2026-11-30 14:00:00.250000", tz_offset=0) as frozen:
		overdue = factories.make_opportunity(items=0, opportunity_amount=10)
		overdue_lead = factories.make_lead()
		today = factories.make_opportunity(items=0, opportunity_amount=10)
		colleagues = factories.make_opportunity(items=0, opportunity_amount=10)
		closed = factories.make_opportunity(items=0, opportunity_amount=10)
		for doc, user, when in (
			(overdue, factories.SALES_USER, "2026-11-30 15:00:00"),
			(overdue_lead, factories.SALES_USER, "2026-11-30 16:00:00"),
			(today, factories.SALES_USER, "2026-12-01 10:00:00"),
			(colleagues, factories.SALES_USER_2, "2026-11-30 15:00:00"),
			(closed, factories.SALES_USER, "2026-11-30 15:00:00"),
		):
			doc.update({"contact_by": user, "contact_date": when})
			doc.save()
		closed.close_opportunity()
		frozen.move_to("2026-12-01 14:00:00.250000")
		as_user(factories.SALES_USER)
		before = card_value("My Overdue Follow-ups")
		as_user("Administrator")
		overdue_lead.reload()
		overdue_lead.update({"contact_by": None, "contact_date": None})
		overdue_lead.save()
		as_user(factories.SALES_USER)
		# Only the test's own: other committed follow-ups of this user may be overdue too.
		assert before - card_value("My Overdue Follow-ups") == 1
		assert before >= 2


def test_only_new_leads_this_month_shows_a_percentage_since_last_week():
	"""Frappe's "% since last week" counts again the documents created before last week: for this
	month's new leads that is how the month's count grew; for open opportunities or today's
	follow-ups it means nothing and would only read the table a second time."""
	shown = {name: frappe.db.get_value("Number Card", name, "show_percentage_stats") for name in NUMBER_CARDS}
	assert {name for name, show in shown.items() if show} == {"New Leads This Month"}
