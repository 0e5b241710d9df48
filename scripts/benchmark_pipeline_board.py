"""Benchmark of the Pipeline Board's `get_board` against the floor measured in the same run.

Fills the benchmark site with OPPORTUNITIES opportunities written straight to the database as an
import would: about a third open (Open, Replied, Quotation), the rest Lost, Closed or Converted,
over the 8 seeded sales stages, three currencies (the default one for most), from leads and
customers, owned by 20 sales users. Then, on the same data and connection, each side REPEAT
times, alternately:

  floor      what the board cannot avoid: one raw `GROUP BY sales_stage` for the totals of the
             default currency's open opportunities, plus one raw query per stage for the first
             page of its cards (the same fields, order and page length);
  get_board  the whitelisted function as a Sales User calls it (permission checks, frappe.get_list
             for the totals and the cards, follow-up state and days in stage of each card).

Time is wall-clock (median and best of the runs); queries are the statements the database
received on this connection (MariaDB's `Questions` counter). Run through
scripts/benchmark-pipeline-board.sh.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import frappe
from frappe.utils import add_days, add_to_date, get_datetime, now, nowdate

from sales_pipeline.sales_pipeline.page.pipeline_board.pipeline_board import (
	CARD_FIELDS,
	OPEN_STATUSES,
	get_board,
)

PIPELINE_USERS = 20
BENCH_USER_DOMAIN = "bench.sales-pipeline.test"
PAGE_LENGTH = 20
# Two thirds of the open ones: a third of all opportunities is open.
CLOSED_STATUSES = ("Lost", "Closed", "Converted")
OTHER_CURRENCIES = ("EUR", "GBP")


def statements() -> int:
	"""Statements this connection has sent so far (the query reading it is subtracted)."""
	return int(frappe.db.sql("SHOW SESSION STATUS LIKE 'Questions'")[0][1]) - 1


def ensure_users() -> list[str]:
	users = []
	for index in range(PIPELINE_USERS):
		email = f"rep{index:02d}@{BENCH_USER_DOMAIN}"
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{"doctype": "User", "email": email, "first_name": f"Rep {index:02d}", "send_welcome_email": 0}
			)
			user.insert(ignore_permissions=True)
			user.add_roles("Sales User")
		users.append(email)
	for currency in OTHER_CURRENCIES:
		frappe.db.set_value("Currency", currency, "enabled", 1)
	frappe.db.commit()
	return users


def wipe() -> None:
	"""Remove what an earlier run left: the benchmark site holds nothing else."""
	for table in ("Pipeline Opportunity", "Pipeline Opportunity Item", "Pipeline Lead", "Pipeline Customer"):
		frappe.db.sql(f"TRUNCATE `tab{table}`")  # nosemgrep: fixed table names
	frappe.db.commit()


def fill(opportunities: int, users: list[str], stages: list[frappe._dict], seed: int) -> None:
	"""Bulk-insert leads, customers and opportunities."""
	rng = random.Random(seed)
	timestamp, today = now(), get_datetime(nowdate())
	party_count = max(1, opportunities // 20)
	lead_fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "lead_name"]
	lead_fields += ["company_name", "title", "status", "lead_owner"]
	frappe.db.bulk_insert(
		"Pipeline Lead",
		lead_fields,
		[
			(f"LEAD-BENCH-{i:06d}", timestamp, timestamp, "Administrator", "Administrator", "LEAD-.YYYY.-")
			+ (f"Person {i}", f"Lead Company {i}", f"Lead Company {i}", "Opportunity", rng.choice(users))
			for i in range(party_count)
		],
		chunk_size=5000,
	)
	frappe.db.bulk_insert(
		"Pipeline Customer",
		["name", "creation", "modified", "owner", "modified_by", "customer_name", "customer_type"],
		[
			(
				f"Customer {i}",
				timestamp,
				timestamp,
				"Administrator",
				"Administrator",
				f"Customer {i}",
				"Company",
			)
			for i in range(party_count)
		],
		chunk_size=5000,
	)

	default_currency = frappe.db.get_default("currency")
	currencies = [default_currency] * 7 + [OTHER_CURRENCIES[0]] * 2 + [OTHER_CURRENCIES[1]]
	fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "opportunity_from"]
	fields += ["party_name", "lead", "customer", "customer_name", "title", "status", "transaction_date"]
	fields += ["opportunity_owner", "sales_stage", "sales_stage_since", "probability", "expected_closing"]
	fields += ["currency", "opportunity_amount", "contact_by", "contact_date"]
	rows = []
	for i in range(opportunities):
		party = i % party_count
		from_lead = i % 2 == 0
		party_name = f"LEAD-BENCH-{party:06d}" if from_lead else f"Customer {party}"
		title = f"Lead Company {party}" if from_lead else f"Customer {party}"
		stage = rng.choice(stages)
		status = rng.choice(OPEN_STATUSES) if rng.random() < 1 / 3 else rng.choice(CLOSED_STATUSES)
		has_follow_up = rng.random() < 0.7
		rows.append(
			(f"OPP-BENCH-{i:06d}", timestamp, timestamp, "Administrator", "Administrator", "OPP-.YYYY.-")
			+ ("Pipeline Lead" if from_lead else "Pipeline Customer", party_name)
			+ (party_name if from_lead else None, None if from_lead else party_name, title, title, status)
			+ (nowdate(), rng.choice(users), stage.name)
			+ (add_to_date(today, days=-rng.randrange(0, 90), hours=rng.randrange(8, 18)), stage.probability)
			+ (add_days(today, rng.randrange(-30, 180)), rng.choice(currencies), rng.randrange(1000, 90000))
			+ (
				rng.choice(users) if has_follow_up else None,
				add_to_date(add_days(today, rng.randrange(-20, 40)), hours=rng.randrange(8, 18))
				if has_follow_up
				else None,
			)
		)
	frappe.db.bulk_insert("Pipeline Opportunity", fields, rows, chunk_size=5000)
	frappe.db.commit()


def floor(currency: str, stages: list[str]) -> dict:
	"""The totals and first pages, straight from the database: nothing but the queries."""
	Opportunity = frappe.qb.DocType("Pipeline Opportunity")
	in_currency = (Opportunity.currency == currency) | (
		frappe.query_builder.functions.IfNull(Opportunity.currency, "") == ""
	)
	open_in_currency = Opportunity.status.isin(OPEN_STATUSES) & in_currency
	totals = (
		frappe.qb.from_(Opportunity)
		.select(
			Opportunity.sales_stage,
			frappe.query_builder.functions.Count(Opportunity.name),
			frappe.query_builder.functions.Sum(Opportunity.opportunity_amount),
			frappe.query_builder.functions.Sum(
				Opportunity.opportunity_amount * Opportunity.probability / 100
			),
		)
		.where(open_in_currency)
		.groupby(Opportunity.sales_stage)
		.run()
	)
	cards = {
		stage: frappe.qb.from_(Opportunity)
		.select(*[Opportunity[field] for field in CARD_FIELDS])
		.where(open_in_currency & (Opportunity.sales_stage == stage))
		.orderby(Opportunity.expected_closing)
		.orderby(Opportunity.name)
		.limit(PAGE_LENGTH)
		.run(as_dict=True)
		for stage in stages
	}
	return {"totals": totals, "cards": cards}


def time_it(function) -> tuple[float, int]:
	queries_before, started = statements(), time.perf_counter()
	function()
	return time.perf_counter() - started, statements() - queries_before


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--opportunities", type=int, default=100_000)
	parser.add_argument("--repeat", type=int, default=20, help="runs of each side (default 20)")
	parser.add_argument("--seed", type=int, default=2026)
	parser.add_argument("--keep", action="store_true", help="reuse the opportunities of the previous run")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=str(Path.cwd()))
	frappe.connect()
	frappe.set_user("Administrator")
	users = ensure_users()
	stages = frappe.get_all(
		"Pipeline Sales Stage", fields=["name", "probability"], order_by="sort_order asc, name asc"
	)
	stage_names = [stage.name for stage in stages]
	if not args.keep or frappe.db.count("Pipeline Opportunity") != args.opportunities:
		wipe()
		started = time.perf_counter()
		fill(args.opportunities, users, stages, args.seed)
		print(f"filled {args.opportunities} opportunities in {time.perf_counter() - started:.1f} s")
	frappe.db.sql("ANALYZE TABLE `tabPipeline Opportunity`")
	open_count = frappe.db.count("Pipeline Opportunity", {"status": ("in", OPEN_STATUSES)})
	print(f"{args.opportunities} opportunities, {open_count} open, {len(stages)} stages")

	currency = frappe.db.get_default("currency")
	frappe.set_user(users[0])
	# Warm Frappe's metadata and permission caches and the database's buffers for both sides.
	board, floor_result = get_board(), floor(currency, stage_names)

	# Same answer from both: the board's totals are the floor's.
	floor_totals = {
		stage or None: (count, round(amount, 2)) for stage, count, amount, _ in floor_result["totals"]
	}
	board_totals = {
		column["sales_stage"]: (column["count"], round(column["amount"], 2))
		for column in board["columns"]
		if column["count"]
	}
	assert board_totals == floor_totals, (board_totals, floor_totals)
	for column in board["columns"]:
		expected = [row.name for row in floor_result["cards"].get(column["sales_stage"], [])]
		assert [card["name"] for card in column["cards"]] == expected, column["sales_stage"]

	runs = {"floor": [], "get_board": []}
	for _ in range(args.repeat):
		runs["floor"].append(time_it(lambda: floor(currency, stage_names)))
		runs["get_board"].append(time_it(get_board))
	frappe.set_user("Administrator")

	floor_median = statistics.median(seconds for seconds, _ in runs["floor"])
	print()
	print(f"{'':12} {'median (ms)':>12} {'best (ms)':>10} {'queries':>8} {'x floor':>8}")
	for label, timings in runs.items():
		median = statistics.median(seconds for seconds, _ in timings)
		best = min(seconds for seconds, _ in timings)
		print(
			f"{label:12} {median * 1000:12.1f} {best * 1000:10.1f} {timings[0][1]:8d} {median / floor_median:8.2f}"
		)
	ratio = statistics.median(seconds for seconds, _ in runs["get_board"]) / floor_median
	print()
	print(f"get_board / floor = {ratio:.2f} (target <= 2), {args.repeat} runs each, as {users[0]}")
	print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
	frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
