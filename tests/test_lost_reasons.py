"""The Pipeline Lost Reasons report: lost opportunities and their amount per reason and period, the
loss dated by the history, from a history built through the app under frozen time."""

import frappe
import pytest
from frappe.desk.query_report import run

from tests import factories
from tests.pipeline_history import (
	CURRENCY,
	change,
	clock,
	close,
	lose,
	open_opportunity,
	reopen,
	restricted_user,
)

REPORT = "Pipeline Lost Reasons"


@pytest.fixture
def losses():
	"""Reasons R1, R2, R3 and these deals (10:00 site time unless said otherwise), then time frozen
	on 2027-04-05:

	L7 (mine, 600)     lost 2026-12-28 for R1: before the period
	L1 (mine, 1,000)   lost 2027-01-10 for R1
	L5 (mine, 3,000)   lost 2027-01-15 for R3, reopened 2027-01-20: no longer lost
	L2 (other, 2,000)  lost 2027-01-20 for R1 and R2
	L3 (mine, 4,000)   amount 5,000 on 2027-02-01, lost 2027-02-05 for R2
	L4 (other, 8,000)  lost 2027-02-10 for R3, reopened 2027-02-12, lost 2027-03-03 for R1
	L6 (other, 500)    closed 2027-02-20: closed, not lost
	L8 (other, 900)    lost 2027-03-31 at 23:30 for R3: still March on the site
	L9 (mine, 700)     lost 2027-04-02 for R2: after the period"""
	with clock("2026-12-01") as time:
		stage = factories.make_sales_stage()
		# A percent sign in the name the User Permission holds goes through the report's SQL as text.
		mine = factories.make_customer(customer_name=f"100% {factories.fake.company()} {factories.RUN}")
		other = factories.make_customer()
		r1, r2, r3 = (factories.make_lost_reason() for _ in range(3))

		def new(party, amount):
			return open_opportunity(party, stage, amount, "2027-06-30")

		l1, l2, l3, l4 = new(mine, 1_000), new(other, 2_000), new(mine, 4_000), new(other, 8_000)
		l5, l6, l7, l8, l9 = (
			new(mine, 3_000),
			new(other, 500),
			new(mine, 600),
			new(other, 900),
			new(mine, 700),
		)
		time.at("2026-12-28")
		lose(l7, r1)
		time.at("2027-01-10")
		lose(l1, r1)
		time.at("2027-01-15")
		lose(l5, r3)
		time.at("2027-01-20")
		lose(l2, r1, r2)
		reopen(l5)
		time.at("2027-02-01")
		change(l3, opportunity_amount=5_000)
		time.at("2027-02-05")
		lose(l3, r2)
		time.at("2027-02-10")
		lose(l4, r3)
		time.at("2027-02-12")
		reopen(l4)
		time.at("2027-02-20")
		close(l6)
		time.at("2027-03-03")
		lose(l4, r1)
		time.at("2027-03-31 23:30:00.500000")
		lose(l8, r3)
		time.at("2027-04-02")
		lose(l9, r2)
		time.at("2027-04-05")
		yield frappe._dict(time=time, reasons=(r1, r2, r3), mine=mine, deals=frappe._dict(l8=l8.name))


def lost_reasons(**filters):
	filters = {
		"from_date": "2027-01-01",
		"to_date": "2027-03-31",
		"period": "Monthly",
		"currency": CURRENCY,
		**filters,
	}
	return run(REPORT, filters=filters)


def rows(result, data) -> dict[int, dict]:
	"""The rows of this test's reasons, by the reason's number (1, 2, 3)."""
	ours = [reason.name for reason in data.reasons]
	return {
		ours.index(row["lost_reason"]) + 1: row
		for row in result["result"]
		if isinstance(row, dict) and row.get("lost_reason") in ours
	}


def per_month(row) -> list[tuple]:
	return [(row[f"count_{month}"], row[f"amount_{month}"]) for month in ("2027_01", "2027_02", "2027_03")]


def test_each_reason_counts_its_losses_by_month(losses):
	"""R1: L1 and L2 in January (3,000), L4 in March at its second loss (8,000). R2: L2 in January
	(2,000: L2 counts for both its reasons), L3 in February at its amount when lost (5,000).
	R3: L8 in March; L5 (reopened) and L4's first loss do not count."""
	result = lost_reasons()
	by_reason = rows(result, losses)
	assert list(by_reason) == [1, 2, 3]  # the costliest first
	assert per_month(by_reason[1]) == [(2, 3_000), (0, 0), (1, 8_000)]
	assert per_month(by_reason[2]) == [(1, 2_000), (1, 5_000), (0, 0)]
	assert per_month(by_reason[3]) == [(0, 0), (0, 0), (1, 900)]
	assert [(row["lost_count"], row["lost_amount"]) for row in by_reason.values()] == [
		(3, 11_000),
		(2, 7_000),
		(1, 900),
	]
	cards = {card["label"]: card["value"] for card in result["report_summary"]}
	# Each lost opportunity once: L1, L2, L3, L4 and L8.
	assert (cards["Opportunities Lost"], cards["Amount Lost"]) == (5, 1_000 + 2_000 + 5_000 + 8_000 + 900)


def test_the_chart_stacks_the_losses_of_each_month_by_reason(losses):
	"""A dataset a reason, the costliest first, named as far as the legend shows a name."""
	chart = lost_reasons()["chart"]
	assert chart["data"]["labels"] == ["Jan 2027", "Feb 2027", "Mar 2027"]
	assert chart["barOptions"]["stacked"]
	ours = [
		dataset
		for dataset in chart["data"]["datasets"]
		if any(dataset["name"][:14] == reason.name[:14] for reason in losses.reasons)
	]
	assert [dataset["values"] for dataset in ours] == [[2, 0, 1], [1, 1, 0], [0, 0, 1]]
	assert all(len(dataset["name"]) <= 15 for dataset in ours)


def test_the_chart_puts_the_reasons_after_the_eight_costliest_together():
	"""Ten reasons, one loss each, the first the costliest: eight datasets and "Other Reasons"."""
	with clock("2027-01-05") as time:
		stage, customer = factories.make_sales_stage(), factories.make_customer()
		reasons = [factories.make_lost_reason() for _ in range(10)]
		deals = [
			open_opportunity(customer, stage, 10_000 - 100 * number, "2027-06-30") for number in range(10)
		]
		time.at("2027-01-10")
		for deal, reason in zip(deals, reasons, strict=True):
			lose(deal, reason)
		chart = run(
			REPORT,
			filters={"from_date": "2027-01-01", "to_date": "2027-01-31", "currency": CURRENCY},
		)["chart"]
	names = [dataset["name"] for dataset in chart["data"]["datasets"]]
	assert names[:8] == [reason.name[:14] + "…" for reason in reasons[:8]]
	assert names[8:] == ["Other Reasons"]
	assert chart["data"]["datasets"][8]["values"] == [2]


@pytest.mark.parametrize(("period", "key"), [("Quarterly", "2027_q1"), ("Yearly", "2027")])
def test_a_quarter_or_a_year_adds_up_its_months(losses, period, key):
	by_reason = rows(lost_reasons(period=period), losses)
	assert [(row[f"count_{key}"], row[f"amount_{key}"]) for row in by_reason.values()] == [
		(3, 11_000),
		(2, 7_000),
		(1, 900),
	]


def test_a_loss_recorded_without_a_reason_shows_as_not_specified(losses):
	"""L8, as if it had been lost before the app asked for a reason."""
	frappe.db.delete("Pipeline Lost Reason Detail", {"parent": losses.deals.l8})
	result = lost_reasons()
	[unspecified] = [row for row in result["result"] if row["lost_reason"] is None]
	assert per_month(unspecified) == [(0, 0), (0, 0), (1, 900)]
	assert "Not Specified" in [dataset["name"] for dataset in result["chart"]["data"]["datasets"]]


def test_a_loss_without_a_currency_counts_in_the_default_currency():
	"""As the desk shows such an opportunity's amounts in the site's default currency: its loss
	counts there, not in another currency."""
	default_currency = frappe.db.get_default("currency")
	other_currency = "EUR" if default_currency != "EUR" else "USD"
	with clock("2027-01-05") as time:
		reason = factories.make_lost_reason()
		deal = factories.make_opportunity(
			factories.make_customer(),
			items=0,
			sales_stage=factories.make_sales_stage().name,
			opportunity_amount=2_500,
			currency=default_currency,
			expected_closing="2027-06-30",
		)
		time.at("2027-01-10")
		lose(deal, reason)
		# As rows written before opportunities carried a currency.
		frappe.db.set_value("Pipeline Opportunity History", {"opportunity": deal.name}, "currency", None)

		def lost_for_reason(currency):
			result = lost_reasons(currency=currency)
			return [
				(row["lost_count"], row["lost_amount"])
				for row in result["result"]
				if row["lost_reason"] == reason.name
			]

		assert lost_for_reason(default_currency) == [(1, 2_500)]
		assert lost_for_reason(other_currency) == []


def test_nothing_outside_the_period_counts(losses):
	"""L7 (lost in December) and L9 (lost in April) only show in periods that hold their loss."""
	r1, r2, _ = losses.reasons
	december = rows(lost_reasons(from_date="2026-12-01", to_date="2026-12-31"), losses)
	assert {number: row["lost_count"] for number, row in december.items()} == {1: 1}
	april = rows(lost_reasons(from_date="2027-04-01", to_date="2027-04-30"), losses)
	assert {number: row["lost_amount"] for number, row in april.items()} == {2: 700}


def test_nothing_recorded_after_now_is_read(losses):
	"""Seen on March 1st, L4's second loss has not happened: nothing of March, and L4's first loss,
	in February, was undone by its reopening."""
	losses.time.at("2027-03-01")
	by_reason = rows(lost_reasons(), losses)
	assert per_month(by_reason[1]) == [(2, 3_000), (0, 0), (0, 0)]
	assert 3 not in by_reason


def test_a_user_restricted_to_one_customer_sees_only_its_deals(losses):
	"""L1 (R1, January) and L3 (R2, February)."""
	frappe.set_user(restricted_user(losses.mine))
	result = lost_reasons()
	by_reason = rows(result, losses)
	assert {number: per_month(row) for number, row in by_reason.items()} == {
		1: [(1, 1_000), (0, 0), (0, 0)],
		2: [(0, 0), (1, 5_000), (0, 0)],
	}
	cards = {card["label"]: card["value"] for card in result["report_summary"]}
	assert (cards["Opportunities Lost"], cards["Amount Lost"]) == (2, 6_000)


def test_a_user_without_a_sales_role_is_refused(as_user):
	as_user(factories.OUTSIDER)
	with pytest.raises(frappe.PermissionError):
		lost_reasons()
