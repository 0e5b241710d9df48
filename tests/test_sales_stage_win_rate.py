"""The Pipeline Sales Stage form shows the win rate learned for the stage next to its default
probability, through `get_learned_win_rate`: read permission on the stage and on opportunities is
needed, and a stage that does not exist is refused."""

import frappe
import pytest
from frappe.exceptions import FrappeTypeError
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.doctype.pipeline_sales_stage.pipeline_sales_stage import (
	get_learned_win_rate,
)
from tests import factories

NOON_UTC = "{} 12:00:00.250000"


def closed_deal(stage, won: bool):
	opportunity = factories.make_opportunity(
		items=0,
		sales_stage=stage.name,
		opportunity_amount=1_000,
		currency="USD",
		transaction_date="2026-01-02",
		expected_closing="2026-06-30",
	)
	if won:
		quotation = make_quotation(opportunity.name)
		quotation.append("items", factories.item_rows(1)[0])
		quotation.insert().submit()
		quotation.set_as_ordered()
	else:
		opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])


def test_the_stage_shows_what_it_learned_from_the_last_months(as_user):
	"""One deal won and three lost in the stage (default 40%), prior weight 4: a rate of 25% and a
	forecast probability of 100 x (1 + 4 x 0.4) / (4 + 4) = 32.5%."""
	stage = factories.make_sales_stage(probability=40)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 4)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_months", 6)
	with freeze_time(NOON_UTC.format("2026-05-04"), tz_offset=0) as clock:
		for won in (True, False, False, False):
			closed_deal(stage, won)
		clock.move_to(NOON_UTC.format("2026-08-01"))
		as_user(factories.SALES_USER)
		learned = get_learned_win_rate(stage.name)
	assert learned == {
		"sales_stage": stage.name,
		"won": 1,
		"lost": 3,
		"rate": 25,
		"probability": pytest.approx(32.5),
		"default_probability": 40,
		"months": 6,
	}


def test_a_stage_without_closed_deals_has_no_rate_and_keeps_its_default():
	stage = factories.make_sales_stage(probability=35)
	learned = get_learned_win_rate(stage.name)
	assert (learned["won"], learned["lost"], learned["rate"]) == (0, 0, None)
	assert learned["probability"] == pytest.approx(35)


def test_a_user_who_may_not_read_stages_and_opportunities_is_refused(as_user):
	stage = factories.make_sales_stage()
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		get_learned_win_rate(stage.name)


def test_a_stage_that_does_not_exist_is_refused(as_user):
	as_user(factories.SALES_USER)
	with pytest.raises(frappe.ValidationError, match="does not exist"):
		get_learned_win_rate("No such stage 5c1e")


@pytest.mark.parametrize("value", [["Prospecting"], {"name": "Prospecting"}, "", None])
def test_a_value_that_is_not_a_stage_name_is_refused_naming_the_argument(value, as_user):
	"""Frappe refuses a value of another type than the annotation (FrappeTypeError, 417); the method
	refuses an empty one."""
	as_user(factories.SALES_USER)
	with pytest.raises((frappe.ValidationError, FrappeTypeError), match="sales_stage"):
		get_learned_win_rate(value)


def test_the_method_is_read_only_and_typed():
	"""Reached by GET only (it changes nothing), its argument typed."""
	method = frappe.get_attr(
		"sales_pipeline.sales_pipeline.doctype.pipeline_sales_stage.pipeline_sales_stage.get_learned_win_rate"
	)
	assert frappe.allowed_http_methods_for_whitelisted_func[method] == ["GET"]
	assert method.__annotations__["sales_stage"] is str


def test_guest_is_refused(as_user):
	stage = factories.make_sales_stage()
	as_user("Guest")
	with pytest.raises(frappe.PermissionError):
		get_learned_win_rate(stage.name)


def test_a_user_held_by_a_user_permission_to_another_stage_is_refused(as_user):
	allowed, other = factories.make_sales_stage(), factories.make_sales_stage()
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user,
			"allow": "Pipeline Sales Stage",
			"for_value": allowed.name,
		}
	).insert()
	as_user(user)
	assert get_learned_win_rate(allowed.name)["sales_stage"] == allowed.name
	with pytest.raises(frappe.PermissionError):
		get_learned_win_rate(other.name)
