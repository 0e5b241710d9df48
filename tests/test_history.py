"""Pipeline Opportunity History: a row when an opportunity is created and one each time its stage,
status, amount, probability, expected closing or currency changes, by every path that changes
them. Time is frozen at moments with microseconds and moved between the steps."""

import datetime

import frappe
import pytest
from frappe.utils import get_datetime, now_datetime
from freezegun import freeze_time

from sales_pipeline.patches.v1 import add_opportunity_history
from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import (
	close_replied_opportunities,
	make_quotation,
)
from sales_pipeline.sales_pipeline.history import HISTORY_DOCTYPE, get_state_as_of
from sales_pipeline.sales_pipeline.page.pipeline_board.pipeline_board import move_to_stage
from tests import factories

START = "2026-09-01 10:00:00.250000"
TRACKED = ("sales_stage", "status", "opportunity_amount", "probability", "expected_closing", "currency")


@pytest.fixture
def frozen():
	with freeze_time(START, tz_offset=0) as frozen:
		yield frozen


@pytest.fixture
def stages():
	"""Three stages of this test with known default probabilities."""
	return [
		factories.make_sales_stage(probability=probability, sort_order=order)
		for order, probability in enumerate((20, 50, 80), start=1)
	]


def history(opportunity_name: str) -> list[frappe._dict]:
	return frappe.get_all(
		HISTORY_DOCTYPE,
		filters={"opportunity": opportunity_name},
		fields=["name", "changed_on", "changed_by", "from_stage", "from_status", *TRACKED],
		order_by="changed_on asc, name asc",
	)


def new_opportunity(stage, amount=1_000, party=None, **values):
	return factories.make_opportunity(
		party,
		items=0,
		sales_stage=stage.name,
		opportunity_amount=amount,
		currency="USD",
		expected_closing="2026-12-15",
		**values,
	)


def convert(opportunity):
	"""Quote the opportunity, submit the quotation and set it as ordered."""
	quotation = make_quotation(opportunity.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	quotation.set_as_ordered()
	return quotation


def test_a_row_at_creation_with_the_values_after_it(frozen, stages, as_user):
	as_user(factories.SALES_USER)
	opportunity = new_opportunity(stages[0], amount=2_500)
	[row] = history(opportunity.name)
	assert get_datetime(row.changed_on) == now_datetime()  # in the site's time zone
	assert row.changed_by == factories.SALES_USER
	assert (row.from_stage, row.from_status) == (None, None)
	assert row.sales_stage == stages[0].name
	assert row.status == "Open"
	assert row.opportunity_amount == 2_500
	assert row.probability == 20  # the stage's default
	assert str(row.expected_closing) == "2026-12-15"
	assert row.currency == "USD"


def test_a_row_for_each_tracked_change_and_none_for_other_edits(frozen, stages):
	opportunity = new_opportunity(stages[0])
	changes = {
		"sales_stage": stages[1].name,
		"opportunity_amount": 4_000,
		"probability": 35,
		"expected_closing": "2027-01-20",
		"currency": "EUR",
	}
	for fieldname, value in changes.items():
		frozen.tick(datetime.timedelta(hours=1))
		opportunity.set(fieldname, value)
		opportunity.save()
	frozen.tick(datetime.timedelta(hours=1))
	opportunity.to_discuss = "Only a note: not tracked"
	opportunity.save()
	opportunity.save()  # unchanged

	rows = history(opportunity.name)
	assert len(rows) == 1 + len(changes)
	last = rows[-1]
	assert (last.sales_stage, last.opportunity_amount, last.probability) == (stages[1].name, 4_000, 35)
	assert (str(last.expected_closing), last.currency) == ("2027-01-20", "EUR")
	stage_change = rows[1]
	assert (stage_change.from_stage, stage_change.sales_stage) == (stages[0].name, stages[1].name)
	assert [get_datetime(row.changed_on) for row in rows] == sorted(
		get_datetime(row.changed_on) for row in rows
	)


def test_lost_close_reopen_and_the_status_probabilities(frozen, stages):
	opportunity = new_opportunity(stages[1])
	frozen.tick(datetime.timedelta(days=1))
	opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])
	frozen.tick(datetime.timedelta(days=1))
	opportunity.reopen_opportunity()
	frozen.tick(datetime.timedelta(days=1))
	opportunity.close_opportunity()

	rows = history(opportunity.name)
	assert [(row.from_status, row.status, row.probability) for row in rows] == [
		(None, "Open", 50),
		("Open", "Lost", 0),
		("Lost", "Open", 50),  # back to the stage's default
		("Open", "Closed", 0),
	]
	assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "probability") == 0


def test_quotation_submit_order_and_cancel_write_rows(frozen, stages):
	opportunity = new_opportunity(stages[2])
	frozen.tick(datetime.timedelta(days=2))
	quotation = convert(opportunity)
	frozen.tick(datetime.timedelta(days=2))
	quotation.cancel()

	rows = history(opportunity.name)
	assert [(row.status, row.probability) for row in rows] == [
		("Open", 80),
		("Quotation", 80),
		("Converted", 100),
		("Open", 80),  # the order cancelled: the stage's default again
	]
	assert rows[2].from_status == "Quotation"


def test_the_board_writes_a_row_by_the_user_who_moved_it(frozen, stages, as_user):
	opportunity = new_opportunity(stages[0], opportunity_owner=factories.SALES_USER)
	frozen.tick(datetime.timedelta(days=1))
	as_user(factories.SALES_USER)
	move_to_stage(opportunity.name, stages[2].name)
	last = history(opportunity.name)[-1]
	assert (last.from_stage, last.sales_stage, last.probability) == (stages[0].name, stages[2].name, 80)
	assert last.changed_by == factories.SALES_USER


def test_the_scheduler_job_and_db_set_write_rows(frozen, stages):
	opportunity = new_opportunity(stages[0])
	opportunity.db_set("status", "Replied")
	frozen.tick(datetime.timedelta(days=40))
	close_replied_opportunities()
	statuses = [(row.from_status, row.status, row.changed_by) for row in history(opportunity.name)]
	assert statuses == [
		(None, "Open", "Administrator"),
		("Open", "Replied", "Administrator"),
		("Replied", "Closed", "Administrator"),
	]


def test_a_db_set_after_a_save_in_the_same_request_compares_with_what_was_recorded(frozen, stages):
	opportunity = new_opportunity(stages[0])
	opportunity.sales_stage = stages[1].name
	opportunity.save()
	opportunity.db_set("opportunity_amount", 9_000)
	rows = history(opportunity.name)
	assert len(rows) == 3
	assert (rows[2].from_stage, rows[2].sales_stage, rows[2].opportunity_amount) == (
		stages[1].name,
		stages[1].name,
		9_000,
	)


def test_state_as_of_a_moment_is_the_last_row_before_it(frozen, stages):
	opportunity = new_opportunity(stages[0])
	frozen.move_to("2026-10-01 09:00:00.500000")
	opportunity.sales_stage = stages[1].name
	opportunity.save()
	assert get_state_as_of(opportunity.name, "2026-08-31 23:59:59") is None
	assert get_state_as_of(opportunity.name, "2026-09-30 12:00:00").sales_stage == stages[0].name
	assert get_state_as_of(opportunity.name, "2026-10-01 09:00:00.500000").sales_stage == stages[1].name


def test_deleting_the_opportunity_deletes_its_rows(frozen, stages):
	opportunity = new_opportunity(stages[0])
	opportunity.sales_stage = stages[1].name
	opportunity.save()
	assert len(history(opportunity.name)) == 2
	frappe.delete_doc("Pipeline Opportunity", opportunity.name)
	assert history(opportunity.name) == []


def test_users_read_the_history_but_never_write_it(frozen, stages, as_user):
	opportunity = new_opportunity(stages[0], opportunity_owner=factories.SALES_USER)
	[row] = history(opportunity.name)
	for user in (factories.SALES_USER, factories.SALES_MANAGER):
		as_user(user)
		assert frappe.has_permission(HISTORY_DOCTYPE, "read", doc=row.name)
		for right in ("create", "write", "delete"):
			assert not frappe.has_permission(HISTORY_DOCTYPE, right), (user, right)
		with pytest.raises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": HISTORY_DOCTYPE, "opportunity": opportunity.name, "changed_on": START}
			).insert()
	as_user(factories.SALES_USER)
	with pytest.raises(frappe.PermissionError):
		frappe.delete_doc(HISTORY_DOCTYPE, row.name)
	assert len(history(opportunity.name)) == 1


def test_the_history_is_shown_on_the_opportunity():
	from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity_dashboard import (
		get_data,
	)

	items = [item for group in get_data()["transactions"] for item in group["items"]]
	assert HISTORY_DOCTYPE in items
	assert frappe.get_meta(HISTORY_DOCTYPE).get_field("opportunity").options == "Pipeline Opportunity"


def test_the_patch_gives_opportunities_without_history_a_first_row(frozen, stages):
	opportunity = new_opportunity(stages[1], amount=7_000)
	frappe.db.delete(HISTORY_DOCTYPE, {"opportunity": opportunity.name})
	frappe.db.set_value(
		"Pipeline Opportunity",
		opportunity.name,
		"creation",
		"2025-03-04 05:06:07.000008",
		update_modified=False,
	)
	add_opportunity_history.execute()
	add_opportunity_history.execute()  # a second run adds nothing
	[row] = history(opportunity.name)
	assert get_datetime(row.changed_on) == get_datetime("2025-03-04 05:06:07.000008")
	assert (row.sales_stage, row.status, row.opportunity_amount, row.probability) == (
		stages[1].name,
		"Open",
		7_000,
		50,
	)
	assert row.changed_by == opportunity.owner


def test_a_user_reads_only_the_history_of_opportunities_they_may_read(frozen, stages, as_user):
	allowed, other = factories.make_customer(), factories.make_customer()
	mine = new_opportunity(stages[0], party=allowed)
	theirs = new_opportunity(stages[0], party=other)
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Pipeline Customer", "for_value": allowed.name}
	).insert()
	[their_row] = history(theirs.name)
	as_user(user)
	visible = set(frappe.get_list(HISTORY_DOCTYPE, pluck="opportunity", limit_page_length=0))
	assert mine.name in visible
	assert theirs.name not in visible
	assert not frappe.has_permission(HISTORY_DOCTYPE, "read", doc=their_row.name)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(HISTORY_DOCTYPE, their_row.name).check_permission("read")


def test_a_user_without_a_sales_role_reads_no_history(frozen, stages, as_user):
	opportunity = new_opportunity(stages[0])
	[row] = history(opportunity.name)
	as_user(factories.make_user(roles=()).name)
	with pytest.raises(frappe.PermissionError):
		frappe.get_list(HISTORY_DOCTYPE, limit_page_length=1)
	assert not frappe.has_permission(HISTORY_DOCTYPE, "read", doc=row.name)
