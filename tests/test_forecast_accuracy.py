"""The Pipeline Forecast Accuracy report: for each month, the forecast made at its start (on the
opportunities' own probabilities and on the learned ones) against what was won, from a history
built through the app under frozen time."""

import datetime

import frappe
import pytest
from dateutil.relativedelta import relativedelta
from frappe.desk.query_report import run

from sales_pipeline.sales_pipeline.forecast import get_win_rates
from sales_pipeline.sales_pipeline.history_reports import get_win_rates_at_month_starts, midnight
from tests import factories
from tests.pipeline_history import (
	CURRENCY,
	change,
	clock,
	close,
	convert,
	lose,
	open_opportunity,
	reopen,
	restricted_user,
)

REPORT = "Pipeline Forecast Accuracy"


def accuracy(**filters):
	filters = {"from_date": "2027-01-01", "to_date": "2027-03-31", "currency": CURRENCY, **filters}
	return run(REPORT, filters=filters)


def months(result) -> dict[str, dict]:
	return {
		row["month"]: row for row in result["result"] if isinstance(row, dict) and row.get("month") != "Total"
	}


def summary(result) -> dict[str, float]:
	return {card["label"]: card["value"] for card in result["report_summary"]}


@pytest.fixture
def pipeline():
	"""Two stages (defaults 20% and 60%), win rates learned without smoothing (prior weight 0: the
	raw rate where a stage has closed deals, its default where not), and this history, in the
	site's time zone (10:00 unless said otherwise):

	2026-12-01  H1, H2 (other customer, stage A, 1,000, expected 2027-06-30)
	2026-12-02  H1 to stage B
	2026-12-05  O1 (mine, A, 10,000, 20%, expected 2027-01-20)
	2026-12-06  O2 (other, B, 5,000, 50% by hand, expected 2027-01-25)
	2026-12-07  O3 (mine, A, 4,000, 20%, expected 2027-01-31)
	2026-12-10  H1 converted
	2026-12-12  H2 lost
	2026-12-31 23:30  O4 (other, B, 2,000, 60%, expected 2027-01-28): still December on the site
	2027-01-05  O5 (mine, A, 6,000, 20%, expected 2027-02-20)
	2027-01-10  O1's amount 12,000
	2027-01-15  O1 converted
	2027-01-20  O2 lost
	2027-01-28  O3 slips: expected 2027-02-15
	2027-01-29  O4 closed
	2027-02-03  O3 to stage B at 60%
	2027-02-10  O3 converted
	2027-03-05  O6 (mine, A, 7,000, expected 2027-03-15)

	Time stays frozen on 2027-03-20 for the test, the clock passed to it."""
	frappe.db.set_single_value("Pipeline Settings", "win_rate_months", 12)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 0)
	with clock("2026-12-01") as time:
		a = factories.make_sales_stage(probability=20, sort_order=1)
		b = factories.make_sales_stage(probability=60, sort_order=2)
		# A percent sign in the name the User Permission holds goes through the report's SQL as text.
		mine = factories.make_customer(customer_name=f"100% {factories.fake.company()} {factories.RUN}")
		other = factories.make_customer()
		reason = factories.make_lost_reason()

		h1 = open_opportunity(other, a, 1_000, "2027-06-30")
		h2 = open_opportunity(other, a, 1_000, "2027-06-30")
		time.at("2026-12-02")
		change(h1, sales_stage=b.name)
		time.at("2026-12-05")
		o1 = open_opportunity(mine, a, 10_000, "2027-01-20")
		time.at("2026-12-06")
		o2 = open_opportunity(other, b, 5_000, "2027-01-25", probability=50)
		time.at("2026-12-07")
		o3 = open_opportunity(mine, a, 4_000, "2027-01-31")
		time.at("2026-12-10")
		convert(h1)
		time.at("2026-12-12")
		lose(h2, reason)
		time.at("2026-12-31 23:30:00.500000")
		o4 = open_opportunity(other, b, 2_000, "2027-01-28")
		time.at("2027-01-05")
		open_opportunity(mine, a, 6_000, "2027-02-20")
		time.at("2027-01-10")
		change(o1, opportunity_amount=12_000)
		time.at("2027-01-15")
		convert(o1)
		time.at("2027-01-20")
		lose(o2, reason)
		time.at("2027-01-28")
		change(o3, expected_closing="2027-02-15")
		time.at("2027-01-29")
		close(o4)
		time.at("2027-02-03")
		change(o3, sales_stage=b.name, probability=60)
		time.at("2027-02-10")
		convert(o3)
		time.at("2027-03-05")
		open_opportunity(mine, a, 7_000, "2027-03-15")
		time.at("2027-03-20")
		yield frappe._dict(time=time, mine=mine)


def test_each_month_compares_the_forecasts_made_at_its_start_with_what_was_won(pipeline):
	"""January: O1, O2, O3 and O4 were open on January 1st and expected in January, as things
	stood then (O1's later amount and O3's later slip do not count; O4, made at 23:30 on December
	31st site time, does).
	  opportunity probabilities: 10,000 x 20% + 5,000 x 50% + 4,000 x 20% + 2,000 x 60% = 6,500
	  learned on January 1st from H1 (won through A and B) and H2 (lost in A): A 1/2, B 1/1
	    10,000 x 50% + 5,000 x 100% + 4,000 x 50% + 2,000 x 100% = 14,000
	  won: O1, at its amount when converted, 12,000
	February: O3 (slipped to February 15th) and O5, both in A at 20%.
	  opportunity probabilities: 4,000 x 20% + 6,000 x 20% = 2,000
	  learned on February 1st, now also from O1 (won in A), O2 and O4 (lost in B): A 2/3, B 1/3
	    10,000 x 2/3 = 6,666.67
	  won: O3, 4,000
	March: nothing was open and expected in March on March 1st (O6 was made on the 5th)."""
	result = accuracy()
	by_month = months(result)
	assert list(by_month) == ["2027-01", "2027-02", "2027-03"]
	january, february, march = by_month.values()

	assert january["opportunities"] == 4
	assert january["opportunity_forecast"] == pytest.approx(6_500)
	assert january["learned_forecast"] == pytest.approx(14_000)
	assert (january["actual"], january["won"]) == (pytest.approx(12_000), 1)
	assert january["opportunity_error"] == pytest.approx(6_500 - 12_000)
	assert january["learned_error"] == pytest.approx(14_000 - 12_000)
	assert january["opportunity_abs_pct_error"] == pytest.approx(100 * 5_500 / 12_000)
	assert january["learned_abs_pct_error"] == pytest.approx(100 * 2_000 / 12_000)

	assert february["opportunities"] == 2
	assert february["opportunity_forecast"] == pytest.approx(2_000)
	assert february["learned_forecast"] == pytest.approx(10_000 * 2 / 3)
	assert (february["actual"], february["won"]) == (pytest.approx(4_000), 1)
	assert february["opportunity_error"] == pytest.approx(-2_000)
	assert february["learned_error"] == pytest.approx(10_000 * 2 / 3 - 4_000)

	assert (march["opportunities"], march["opportunity_forecast"], march["actual"]) == (0, 0, 0)
	assert march["opportunity_abs_pct_error"] is None

	assert summary(result)["Mean Abs. Error (Opportunity)"] == pytest.approx((5_500 + 2_000 + 0) / 3)
	assert summary(result)["Mean Abs. Error (Learned)"] == pytest.approx(
		(2_000 + (10_000 * 2 / 3 - 4_000) + 0) / 3
	)
	chart = result["chart"]
	assert chart["data"]["labels"] == ["Jan 2027", "Feb 2027", "Mar 2027"]
	assert [dataset["values"] for dataset in chart["data"]["datasets"]] == [
		[pytest.approx(12_000), pytest.approx(4_000), 0],
		[pytest.approx(6_500), pytest.approx(2_000), 0],
		[pytest.approx(14_000), pytest.approx(10_000 * 2 / 3), 0],
	]


def test_nothing_recorded_after_now_is_read(pipeline):
	"""Seen on January 14th (before O1 was converted), January has the same forecasts and nothing
	won yet, and the months that have not started are not shown."""
	pipeline.time.at("2027-01-14")
	january = months(accuracy())
	assert list(january) == ["2027-01"]
	assert january["2027-01"]["opportunity_forecast"] == pytest.approx(6_500)
	assert january["2027-01"]["learned_forecast"] == pytest.approx(14_000)
	assert (january["2027-01"]["actual"], january["2027-01"]["won"]) == (0, 0)


def test_a_user_restricted_to_one_customer_sees_only_its_deals(pipeline):
	"""O1 and O3 in January, O3 and O5 in February are that customer's; the learned probabilities
	are the pipeline's (A 1/2 on January 1st, 2/3 on February 1st)."""
	frappe.set_user(restricted_user(pipeline.mine))
	by_month = months(accuracy())
	january, february = by_month["2027-01"], by_month["2027-02"]
	assert january["opportunities"] == 2
	assert january["opportunity_forecast"] == pytest.approx(10_000 * 0.2 + 4_000 * 0.2)
	assert january["learned_forecast"] == pytest.approx(10_000 * 0.5 + 4_000 * 0.5)
	assert january["actual"] == pytest.approx(12_000)
	assert february["opportunities"] == 2
	assert february["actual"] == pytest.approx(4_000)


def test_without_dates_it_compares_the_last_12_full_months(pipeline):
	assert list(months(accuracy(from_date=None, to_date=None))) == [
		*(f"2026-{month:02d}" for month in range(3, 13)),
		"2027-01",
		"2027-02",
	]


def month_starts_from(first: str, count: int) -> list[datetime.date]:
	start = datetime.date.fromisoformat(first)
	return [start + relativedelta(months=months) for months in range(count)]


def assert_learned_as_get_win_rates_learns(months):
	"""The learned probabilities of every month, from one query, are get_win_rates' as of its start."""
	learned = get_win_rates_at_month_starts(months)
	for month in months:
		assert learned[month] == get_win_rates(as_of=midnight(month)), month


def test_the_learned_probabilities_are_those_of_get_win_rates_at_each_month_start(pipeline):
	"""Over the months of the history and the twelve after, as December's closings leave the
	window."""
	assert_learned_as_get_win_rates_learns(month_starts_from("2026-11-01", 16))


def test_the_learned_probabilities_hold_at_the_edges_of_the_window_and_after_a_reopening():
	"""A three-month window and a prior weight of 2; closings at midnight on the 1st (counted from
	that moment), just before it, an order cancelled (the deal open again, then lost), a deal
	reopened and closed again, and deals still open."""
	frappe.db.set_single_value("Pipeline Settings", "win_rate_months", 3)
	frappe.db.set_single_value("Pipeline Settings", "win_rate_prior_weight", 2)
	with clock("2026-12-01") as time:
		first = factories.make_sales_stage(probability=30, sort_order=1)
		second = factories.make_sales_stage(probability=70, sort_order=2)
		customer = factories.make_customer()
		deals = [open_opportunity(customer, first, 1_000, "2027-12-31") for _ in range(6)]
		time.at("2026-12-20")
		change(deals[1], sales_stage=second.name)
		change(deals[2], sales_stage=second.name)
		time.at("2027-01-01 00:00:00")
		lose(deals[0], factories.make_lost_reason())
		time.at("2027-01-15")
		order = convert(deals[1])
		time.at("2027-01-31 23:59:59.999999")
		close(deals[2])
		time.at("2027-02-10")
		order.reload()
		order.cancel()
		time.at("2027-03-01 00:00:00")
		reopen(deals[2])
		time.at("2027-03-05")
		lose(deals[1], factories.make_lost_reason())
		time.at("2027-04-20")
		convert(deals[2])
		convert(deals[3])
		time.at("2027-06-01 00:00:00")
		close(deals[4])
		time.at("2027-09-15")
		assert_learned_as_get_win_rates_learns(month_starts_from("2026-12-01", 10))


def test_a_user_without_a_sales_role_is_refused(as_user):
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		accuracy()
