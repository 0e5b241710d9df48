"""Factories for every DocType of the app, filled with faker data.

They insert as the session user, so a test that switches user also tests that user's
rights. Keyword arguments override any generated value.

Names that must be unique (item codes, emails, customer, supplier, stage and lost reason
names) carry RUN, a token of this test run: faker's `unique` holds within one run only, and
a test site keeps what committed fixtures of an interrupted run left behind.
"""

import secrets

import frappe
from faker import Faker
from frappe.utils import add_days, nowdate

fake = Faker()
RUN = secrets.token_hex(3)

TEST_PASSWORD = "Pipeline-Test-Passw0rd!"
SALES_USER = "sales.user@sales-pipeline.test"
SALES_USER_2 = "sales.user2@sales-pipeline.test"
SALES_MANAGER = "sales.manager@sales-pipeline.test"
# Sales Manager without Sales User: Frappe's own DocTypes (Currency) give this role nothing.
SALES_MANAGER_ONLY = "sales.manager.only@sales-pipeline.test"
OUTSIDER = "outsider@sales-pipeline.test"
OUTSIDER_ROLE = "Sales Pipeline Test Outsider"

TEST_USERS = {
	SALES_USER: ("Sales User",),
	SALES_USER_2: ("Sales User",),
	SALES_MANAGER: ("Sales User", "Sales Manager"),
	SALES_MANAGER_ONLY: ("Sales Manager",),
	# A desk user with no sales role at all.
	OUTSIDER: (OUTSIDER_ROLE,),
}


def ensure_test_users() -> None:
	if not frappe.db.exists("Role", OUTSIDER_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": OUTSIDER_ROLE, "desk_access": 1}).insert()
	time_zone = frappe.db.get_single_value("System Settings", "time_zone")
	for email, roles in TEST_USERS.items():
		if frappe.db.exists("User", email):
			user = frappe.get_doc("User", email)
			if user.enabled and user.time_zone == time_zone and set(frappe.get_roles(email)) >= set(roles):
				continue
		else:
			first_name = email.split("@")[0].replace(".", " ").title()
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first_name,
					"send_welcome_email": 0,
					"user_type": "System User",
				}
			)
			user.insert()
		user.enabled = 1
		# Follow-up times are shown and entered in the site's time zone.
		user.time_zone = time_zone
		user.set("roles", [])
		user.add_roles(*roles)
		user.new_password = TEST_PASSWORD
		user.save()


def make_user(roles=("Sales User",), **values) -> "frappe.model.document.Document":
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": unique_email(),
			"first_name": fake.first_name(),
			"send_welcome_email": 0,
			**values,
		}
	)
	user.insert()
	if roles:
		user.add_roles(*roles)
	return user


def unique_email() -> str:
	local_part, domain = fake.unique.email().split("@")
	return f"{local_part}.{RUN}@{domain}"


def make_item(**values):
	code = (
		values.pop("item_code", None)
		or f"{fake.word().upper()}-{RUN.upper()}-{fake.unique.random_int(10000, 99999)}"
	)
	return frappe.get_doc(
		{
			"doctype": "Pipeline Item",
			"item_code": code,
			"item_name": fake.catch_phrase(),
			"description": fake.sentence(),
			"uom": "Nos",
			"standard_rate": fake.random_int(10, 500),
			**values,
		}
	).insert()


def make_lead(**values):
	return frappe.get_doc(
		{
			"doctype": "Pipeline Lead",
			"lead_name": fake.name(),
			# A customer made from the lead is named after its company.
			"company_name": f"{fake.unique.company()} {RUN}",
			"email_id": unique_email(),
			"mobile_no": fake.msisdn(),
			**values,
		}
	).insert()


def make_customer(**values):
	return frappe.get_doc(
		{
			"doctype": "Pipeline Customer",
			"customer_name": f"{fake.unique.company()} {RUN} {fake.random_int(100, 999)}",
			"customer_type": "Company",
			"email_id": unique_email(),
			**values,
		}
	).insert()


def make_supplier(**values):
	return frappe.get_doc(
		{
			"doctype": "Pipeline Supplier",
			"supplier_name": f"{fake.unique.company()} Supplies {RUN} {fake.random_int(100, 999)}",
			"email_id": unique_email(),
			**values,
		}
	).insert()


def make_sales_stage(**values):
	return frappe.get_doc(
		{
			"doctype": "Pipeline Sales Stage",
			"stage_name": f"{fake.word().title()} {RUN} {fake.unique.random_int(1000, 9999)}",
			"probability": fake.random_int(1, 99),
			"sort_order": fake.random_int(1, 50),
			**values,
		}
	).insert()


def make_lost_reason(**values):
	return frappe.get_doc(
		{
			"doctype": "Pipeline Lost Reason",
			"lost_reason": f"{fake.sentence(nb_words=3)} {RUN} {fake.unique.random_int(1000, 9999)}",
			**values,
		}
	).insert()


def item_rows(count: int = 2, **row_values) -> list[dict]:
	rows = []
	for _ in range(count):
		item = make_item()
		rows.append(
			{
				"item_code": item.name,
				"qty": fake.random_int(1, 20),
				"rate": fake.random_int(5, 300),
				**row_values,
			}
		)
	return rows


def make_opportunity(party=None, items: int | list | None = 2, **values):
	"""An opportunity from `party` (a lead or customer document; a new lead when None)
	with `items` new item rows (or the given list of row dicts)."""
	party = party or make_lead()
	rows = item_rows(items) if isinstance(items, int) else (items or [])
	return frappe.get_doc(
		{
			"doctype": "Pipeline Opportunity",
			"opportunity_from": party.doctype,
			"party_name": party.name,
			"transaction_date": nowdate(),
			"expected_closing": add_days(nowdate(), fake.random_int(10, 90)),
			"with_items": 1 if rows else 0,
			"items": rows,
			"opportunity_amount": 0 if rows else fake.random_int(1000, 50000),
			**values,
		}
	).insert()


def make_quotation(party=None, items: int | list = 2, submit: bool = False, **values):
	party = party or make_customer()
	rows = item_rows(items) if isinstance(items, int) else items
	quotation = frappe.get_doc(
		{
			"doctype": "Pipeline Quotation",
			"quotation_to": party.doctype,
			"party_name": party.name,
			"transaction_date": nowdate(),
			"items": rows,
			**values,
		}
	).insert()
	if submit:
		quotation.submit()
	return quotation


def make_supplier_quotation(supplier=None, items: int | list = 2, submit: bool = False, **values):
	supplier = supplier or make_supplier()
	rows = item_rows(items) if isinstance(items, int) else items
	supplier_quotation = frappe.get_doc(
		{
			"doctype": "Pipeline Supplier Quotation",
			"supplier": supplier.name,
			"transaction_date": nowdate(),
			"items": rows,
			**values,
		}
	).insert()
	if submit:
		supplier_quotation.submit()
	return supplier_quotation


def delete_without_trace(doctype: str, name: str) -> None:
	"""Delete a record a committed fixture made as if it had never been made: no Deleted
	Document and no "Deleted" comment in the feed, for it or for the follow-up Events the app
	deletes with it. The caller commits."""
	events = frappe.get_all(
		"Event Participants",
		filters={"reference_doctype": doctype, "reference_docname": name, "parenttype": "Event"},
		pluck="parent",
	)
	frappe.delete_doc(doctype, name, force=True, delete_permanently=True, ignore_permissions=True)
	for deleted_doctype, deleted_name in [(doctype, name), *(("Event", event) for event in events)]:
		frappe.db.delete(
			"Comment",
			{
				"comment_type": "Deleted",
				"reference_doctype": deleted_doctype,
				"subject": f"{deleted_doctype} {deleted_name}",
			},
		)


def delete_opportunity_without_trace(opportunity) -> None:
	"""A committed opportunity from make_opportunity, with the items and the lead made for it."""
	delete_without_trace("Pipeline Opportunity", opportunity.name)
	if opportunity.opportunity_from == "Pipeline Lead":
		delete_without_trace("Pipeline Lead", opportunity.party_name)
	for item_code in {row.item_code for row in opportunity.items}:
		delete_without_trace("Pipeline Item", item_code)
