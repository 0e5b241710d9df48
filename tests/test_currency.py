"""Currencies for a Sales Manager without Sales User, whom Frappe's Currency DocType gives no
permission: the app's currency search (what its Currency fields use) and saving in a currency."""

import frappe
import pytest
from frappe.desk.search import search_link

from sales_pipeline.sales_pipeline.currency import search_currencies
from tests import factories

QUERY = "sales_pipeline.sales_pipeline.currency.search_currencies"


def test_frappe_itself_gives_a_sales_manager_no_permission_on_currency(as_user):
	"""Why the app has its own search: Frappe's refuses this user."""
	as_user(factories.SALES_MANAGER_ONLY)
	assert "Sales User" not in frappe.get_roles()
	assert not frappe.has_permission("Currency", "select")
	with pytest.raises(frappe.PermissionError):
		frappe.client.validate_link("Currency", "EUR")


def test_a_sales_manager_without_sales_user_finds_currencies(as_user):
	"""Through the desk's link search with the app's query, as the user types."""
	as_user(factories.SALES_MANAGER_ONLY)
	for typed in ("EUR", "eu", ""):
		assert "EUR" in [row["value"] for row in search_link("Currency", typed, query=QUERY, page_length=500)]


def test_only_enabled_currencies_are_offered(as_user):
	disabled = frappe.get_all("Currency", filters={"enabled": 0}, pluck="name", limit=1)
	if not disabled:
		pytest.skip("the site has no disabled currency")
	as_user(factories.SALES_MANAGER_ONLY)
	found = search_currencies("Currency", disabled[0], "name", 0, 20)
	assert disabled[0] not in [row[0] for row in found]


@pytest.mark.parametrize("user", [factories.OUTSIDER, "Guest"])
def test_a_user_without_a_sales_role_is_refused(as_user, user):
	as_user(user)
	with pytest.raises(frappe.PermissionError):
		search_currencies("Currency", "EUR", "name", 0, 20)


def test_a_sales_manager_without_sales_user_saves_an_opportunity_in_a_currency(as_user):
	as_user(factories.SALES_MANAGER_ONLY)
	opportunity = factories.make_opportunity(items=0, currency="EUR", opportunity_amount=100)
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "currency") == "EUR"


def test_saving_refuses_a_currency_that_does_not_exist(as_user):
	"""The form leaves the check of its Currency field to the server: the save makes it."""
	as_user(factories.SALES_MANAGER_ONLY)
	with pytest.raises(frappe.LinkValidationError):
		factories.make_opportunity(items=0, currency="XXQ", opportunity_amount=100)
