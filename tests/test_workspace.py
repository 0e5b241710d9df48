"""The Sales Pipeline workspace and its number cards, as a sales user sees them."""

import json

import frappe
from frappe.desk.doctype.number_card.number_card import get_result
from frappe.utils import add_to_date, now_datetime

from tests import factories

NUMBER_CARDS = (
	"Open Opportunities",
	"Open Pipeline Amount",
	"My Opportunity Follow-ups Today",
	"New Leads This Month",
)


def card_value(name: str) -> float:
	card = frappe.get_doc("Number Card", name)
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
