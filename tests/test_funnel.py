"""The Pipeline Funnel report: per stage, the opportunities created in the period that reached it,
how they stand now, the win rate and the days spent in it, from a history built through the app
under frozen time."""

import frappe
import pytest
from frappe.desk.query_report import run

from tests import factories
from tests.pipeline_history import (
	change,
	clock,
	close,
	convert,
	lose,
	open_opportunity,
	reopen,
	restricted_user,
)

REPORT = "Pipeline Funnel"


@pytest.fixture
def funnel():
	"""Three stages A, B, C and five deals of one owner created in January 2027 (10:00 site time
	every day), then time frozen on 2027-02-01 10:00:

	F1 (mine)   A on 01-01, B on 01-03, C on 01-06, converted 01-10
	F2 (mine)   A on 01-01, B on 01-05, lost 01-11
	F3 (other)  A on 01-02, closed 01-04
	F4 (other)  A on 01-02, C on 01-12 (skips B), open
	F5 (other)  B on 01-03, lost 01-08, reopened 01-18, C on 01-21, open
	F6 (other)  A, created 2026-12-20: before the period"""
	with clock("2026-12-20") as time:
		a, b, c = (
			factories.make_sales_stage(probability=p, sort_order=o) for o, p in ((1, 10), (2, 40), (3, 70))
		)
		owner = factories.make_user(roles=("Sales User",)).name
		# A percent sign in the name the User Permission holds goes through the report's SQL as text.
		mine = factories.make_customer(customer_name=f"100% {factories.fake.company()} {factories.RUN}")
		other = factories.make_customer()
		reason = factories.make_lost_reason()

		def new(party, stage):
			return open_opportunity(party, stage, 1_000, "2027-06-30", opportunity_owner=owner)

		new(other, a)  # F6
		time.at("2027-01-01")
		f1, f2 = new(mine, a), new(mine, a)
		time.at("2027-01-02")
		f3, f4 = new(other, a), new(other, a)
		time.at("2027-01-03")
		change(f1, sales_stage=b.name)
		f5 = new(other, b)
		time.at("2027-01-04")
		close(f3)
		time.at("2027-01-05")
		change(f2, sales_stage=b.name)
		time.at("2027-01-06")
		change(f1, sales_stage=c.name)
		time.at("2027-01-08")
		lose(f5, reason)
		time.at("2027-01-10")
		convert(f1)
		time.at("2027-01-11")
		lose(f2, reason)
		time.at("2027-01-12")
		change(f4, sales_stage=c.name)
		time.at("2027-01-18")
		reopen(f5)
		time.at("2027-01-21")
		change(f5, sales_stage=c.name)
		time.at("2027-02-01")
		yield frappe._dict(time=time, stages=(a, b, c), owner=owner, mine=mine)


def funnel_report(data, **filters):
	filters = {"from_date": "2027-01-01", "to_date": "2027-01-31", "opportunity_owner": data.owner, **filters}
	return run(REPORT, filters=filters)


def by_stage(result, data) -> list[tuple]:
	"""(stage, reached, won, lost, still open, win rate, average days) of this test's stages."""
	ours = [stage.name for stage in data.stages]
	return [
		(
			ours.index(row["sales_stage"]),
			row["reached"],
			row["won"],
			row["lost"],
			row["still_open"],
			row["win_rate"],
			row["avg_days_in_stage"],
		)
		for row in result["result"]
		if row["sales_stage"] in ours
	]


def test_each_stage_counts_the_deals_that_reached_it_and_how_they_stand(funnel):
	"""A: F1-F4 reached it; F1 won, F2 lost, F3 closed, F4 open; days 2, 4, 2, 10 (to C on 01-12).
	B: F1, F2, F5; F1 won, F2 lost, F5 open; days 3, 6, and 5 + 3 for F5 (its ten days lost do
	not count). C: F1, F4, F5; F1 won, F4 and F5 open; days 4, 20 and 11 up to now (02-01)."""
	result = funnel_report(funnel)
	assert by_stage(result, funnel) == [
		(0, 4, 1, 2, 1, pytest.approx(100 / 3), pytest.approx((2 + 4 + 2 + 10) / 4)),
		(1, 3, 1, 1, 1, pytest.approx(50), pytest.approx((3 + 6 + 8) / 3)),
		(2, 3, 1, 0, 2, pytest.approx(100), pytest.approx((4 + 20 + 11) / 3)),
	]
	share = {row["sales_stage"]: row["share"] for row in result["result"]}
	a, b, c = funnel.stages
	assert (share[a.name], share[b.name], share[c.name]) == (80, 60, 60)
	cards = {card["label"]: card["value"] for card in result["report_summary"]}
	assert (cards["Opportunities"], cards["Won"], cards["Lost"], cards["Still Open"]) == (5, 1, 2, 2)
	assert cards["Win Rate"] == pytest.approx(100 / 3)


def test_the_stages_come_in_their_sort_order_and_chart_as_stacked_bars(funnel):
	result = funnel_report(funnel)
	labels = result["chart"]["data"]["labels"]
	a, b, c = funnel.stages
	assert labels.index(a.name) < labels.index(b.name) < labels.index(c.name)
	datasets = {dataset["name"]: dataset["values"] for dataset in result["chart"]["data"]["datasets"]}
	assert [datasets[name][labels.index(c.name)] for name in ("Won", "Lost", "Still Open")] == [1, 0, 2]
	assert result["chart"]["barOptions"]["stacked"]


def test_nothing_recorded_after_now_is_read(funnel):
	"""Seen on January 9th: F1 was still open in C (3 days), F5 lost in B after 5 days, F4 still in
	A (7 days), F2 in B (4 days); nothing of C but F1."""
	funnel.time.at("2027-01-09")
	assert by_stage(funnel_report(funnel), funnel) == [
		(0, 4, 0, 1, 3, pytest.approx(0), pytest.approx((2 + 4 + 2 + 7) / 4)),
		(1, 3, 0, 1, 2, pytest.approx(0), pytest.approx((3 + 4 + 5) / 3)),
		(2, 1, 0, 0, 1, None, pytest.approx(3)),
	]


def test_only_the_deals_created_in_the_period_count(funnel):
	"""F6, created on 2026-12-20, is in A when the period starts in December."""
	december = by_stage(funnel_report(funnel, from_date="2026-12-01", to_date="2026-12-31"), funnel)
	assert [row[:5] for row in december] == [(0, 1, 0, 0, 1), (1, 0, 0, 0, 0), (2, 0, 0, 0, 0)]


def test_a_user_restricted_to_one_customer_sees_only_its_deals(funnel):
	"""F1 and F2 only: A 2 (days 2 and 4), B 2 (days 3 and 6), C 1 (F1, 4 days)."""
	frappe.set_user(restricted_user(funnel.mine))
	assert by_stage(funnel_report(funnel), funnel) == [
		(0, 2, 1, 1, 0, pytest.approx(50), pytest.approx(3)),
		(1, 2, 1, 1, 0, pytest.approx(50), pytest.approx(4.5)),
		(2, 1, 1, 0, 0, pytest.approx(100), pytest.approx(4)),
	]


def test_a_user_without_a_sales_role_is_refused(as_user):
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		run(REPORT, filters={})
