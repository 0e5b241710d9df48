"""get_win_rates: per stage, the opportunities won and lost within the window before `as_of` that
were in that stage, and the smoothed probability. History is built through the app under frozen
time, month by month."""

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.forecast import get_win_rates
from tests import factories

# Noon UTC, so the site's New York time falls on the same day.
T = "{} 12:00:00.250000"


def at(frozen, day: str):
	frozen.move_to(T.format(day))


def quote_and_order(opportunity):
	quotation = make_quotation(opportunity.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	quotation.set_as_ordered()
	return quotation


def lose(opportunity):
	opportunity.reload()
	opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])


def move(opportunity, stage):
	opportunity.reload()
	opportunity.sales_stage = stage.name
	opportunity.save()


@pytest.fixture
def pipeline():
	"""Three stages with defaults 20, 50 and 80%, and a history over 2025-2027:

	won:  A (s1 -> s2, converted 2026-03), D (s2, converted 2026-08-10), F (s3, converted 2026-12)
	lost: B (s1, lost 2026-04), C (s1 -> s2 -> s3, closed 2026-06), E (s1, lost 2025-02)
	G (s3) converted 2026-07, its order cancelled 2026-09: open again.
	H (s1) still open on 2026-11-01, moved to s2 and lost in 2026-12."""
	stages = [
		factories.make_sales_stage(probability=probability, sort_order=order)
		for order, probability in enumerate((20, 50, 80), start=1)
	]
	s1, s2, s3 = stages
	with freeze_time(T.format("2024-12-01"), tz_offset=0) as frozen:

		def new(stage):
			return factories.make_opportunity(
				items=0, sales_stage=stage.name, opportunity_amount=1_000, currency="USD"
			)

		e = new(s1)
		at(frozen, "2025-02-10")
		lose(e)

		at(frozen, "2026-01-15")
		a, b, c, h = new(s1), new(s1), new(s1), new(s1)
		d, g = new(s2), new(s3)
		at(frozen, "2026-02-15")
		move(a, s2)
		move(c, s2)
		at(frozen, "2026-03-15")
		quote_and_order(a)
		at(frozen, "2026-04-15")
		lose(b)
		at(frozen, "2026-05-15")
		move(c, s3)
		f = new(s3)
		at(frozen, "2026-06-15")
		c.reload()
		c.close_opportunity()
		at(frozen, "2026-07-15")
		g_quotation = quote_and_order(g)
		at(frozen, "2026-08-10")
		quote_and_order(d)
		at(frozen, "2026-09-15")
		g_quotation.reload()
		g_quotation.cancel()
		at(frozen, "2026-12-05")
		move(h, s2)
		lose(h)
		at(frozen, "2026-12-15")
		quote_and_order(f)
		at(frozen, "2027-01-02")
		yield stages


def ours(rates, stages):
	return {index: rates[stage.name] for index, stage in enumerate(stages, start=1)}


def counts(rates, stages):
	return {index: (rate["won"], rate["lost"]) for index, rate in ours(rates, stages).items()}


def test_counts_each_closed_opportunity_for_every_stage_it_was_in(pipeline):
	rates = get_win_rates(as_of="2026-11-01", months=12)
	# s1: A won; B, C lost. s2: A, D won; C lost. s3: C lost (G was reopened, F not yet won).
	assert counts(rates, pipeline) == {1: (1, 2), 2: (2, 1), 3: (0, 1)}


def test_the_rate_and_the_probability_smoothed_towards_the_default(pipeline):
	rates = ours(get_win_rates(as_of="2026-11-01", months=12), pipeline)
	assert rates[1]["rate"] == pytest.approx(100 / 3)
	# 100 x (won + k x p0 / 100) / (won + lost + k), k = 10 by default
	assert rates[1]["probability"] == pytest.approx(100 * (1 + 10 * 0.2) / (3 + 10))
	assert rates[2]["rate"] == pytest.approx(200 / 3)
	assert rates[2]["probability"] == pytest.approx(100 * (2 + 10 * 0.5) / (3 + 10))
	assert rates[3]["rate"] == 0
	assert rates[3]["probability"] == pytest.approx(100 * (0 + 10 * 0.8) / (1 + 10))


def test_the_prior_weight_comes_from_the_settings(pipeline):
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 0)
	rates = ours(get_win_rates(as_of="2026-11-01", months=12), pipeline)
	assert rates[1]["probability"] == pytest.approx(100 / 3)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 2)
	rates = ours(get_win_rates(as_of="2026-11-01", months=12), pipeline)
	assert rates[2]["probability"] == pytest.approx(100 * (2 + 2 * 0.5) / (3 + 2))


def test_nothing_after_as_of_is_used(pipeline):
	# On 2026-08-15 G was still Converted (cancelled in September), D converted on 08-10.
	assert counts(get_win_rates(as_of="2026-08-15", months=12), pipeline) == {1: (1, 2), 2: (2, 1), 3: (1, 1)}
	# Before D's order: D is still open.
	assert counts(get_win_rates(as_of="2026-08-09", months=12), pipeline) == {1: (1, 2), 2: (1, 1), 3: (1, 1)}
	# At the end: F won in s3; H lost after moving to s2; G open again.
	assert counts(get_win_rates(as_of="2027-01-01", months=12), pipeline) == {1: (1, 3), 2: (2, 2), 3: (1, 1)}


def test_the_window_in_months(pipeline):
	# E, lost in February 2025, is inside 24 months before 2026-11-01, not inside 12.
	assert counts(get_win_rates(as_of="2026-11-01", months=24), pipeline)[1] == (1, 3)
	# Within the 5 months before 2026-11-01 (from 2026-06-01): C closed in June, D won in August.
	assert counts(get_win_rates(as_of="2026-11-01", months=5), pipeline) == {1: (0, 1), 2: (1, 1), 3: (0, 1)}
	frappe.db.set_single_value("Pipeline Settings", "win_rate_months", 5)
	assert counts(get_win_rates(as_of="2026-11-01"), pipeline) == {1: (0, 1), 2: (1, 1), 3: (0, 1)}


def test_a_stage_without_history_keeps_its_default(pipeline):
	empty = factories.make_sales_stage(probability=35)
	rate = get_win_rates(as_of="2026-11-01")[empty.name]
	assert rate == {"won": 0, "lost": 0, "rate": None, "probability": 35}


def test_every_stage_is_listed():
	assert set(get_win_rates()) == set(frappe.get_all("Pipeline Sales Stage", pluck="name"))


def test_an_unset_setting_falls_back_to_the_documented_defaults(pipeline):
	frappe.db.delete("Singles", {"doctype": "Pipeline Settings", "field": ("in", ["win_rate_months"])})
	frappe.db.value_cache.clear()
	frappe.clear_document_cache("Pipeline Settings", "Pipeline Settings")
	assert counts(get_win_rates(as_of="2026-11-01"), pipeline) == {1: (1, 2), 2: (2, 1), 3: (0, 1)}


def test_a_window_that_is_not_positive_is_refused():
	with pytest.raises(frappe.ValidationError, match="Months"):
		get_win_rates(months=-3)
