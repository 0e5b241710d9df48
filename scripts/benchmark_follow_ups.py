"""Benchmark of the day's follow-up job against the floor measured in the same run.

Fills the benchmark site with OPPORTUNITIES opportunities (DUE_SHARE of them due today, the rest
spread over the months after it, so that none is overdue), written straight to the database as an
import would, so that no Event exists yet. Then, on the same data and connection, ROUNDS
interleaved rounds of:

  floor       what the job cannot avoid: inserting the same number of Events (with their
              participant row) and Notification Logs through Frappe's ORM, one commit each;
  first run   the scheduler job as the scheduler runs it (one commit per follow-up);
  second run  the job again, with nothing left to do;

each round starting from the same data (what the previous one made is removed). Prints the median
and the lowest time of each. Time is wall-clock; queries are the statements the database received
on this connection (MariaDB's `Questions` counter). Run through scripts/benchmark-follow-ups.sh.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import frappe
from frappe.utils import add_days, add_to_date, get_datetime, now, nowdate

from sales_pipeline.sales_pipeline.follow_up import (
	as_html_text,
	get_due_follow_ups,
	get_event_values,
	get_reminder_subject,
	run_follow_up_reminders,
)

PIPELINE_USERS = 20
BENCH_USER_DOMAIN = "bench.sales-pipeline.test"


def statements() -> int:
	"""Statements this connection has sent so far (the query reading it is subtracted)."""
	return int(frappe.db.sql("SHOW SESSION STATUS LIKE 'Questions'")[0][1]) - 1


def measure(label: str, function, results: dict) -> None:
	"""Add the time and statements of one run of `function` to results[label]."""
	frappe.db.commit()
	queries_before, started = statements(), time.perf_counter()
	function()
	frappe.db.commit()
	results.setdefault(label, []).append((time.perf_counter() - started, statements() - queries_before))


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
	frappe.db.commit()
	return users


def wipe() -> None:
	"""Remove what an earlier run left: the benchmark site holds nothing else."""
	for table in (
		"Pipeline Opportunity",
		"Pipeline Opportunity Item",
		"Pipeline Lead",
		"Pipeline Follow Up",
		"Notification Log",
		"Event Participants",
		"Event",
		"Error Log",
	):
		frappe.db.sql(f"TRUNCATE `tab{table}`")  # nosemgrep: fixed table names
	frappe.db.commit()


def fill(opportunities: int, due_share: float, users: list[str], seed: int) -> int:
	"""Bulk-insert leads and opportunities; return how many opportunities are due today."""
	rng = random.Random(seed)
	timestamp, today = now(), get_datetime(nowdate())
	lead_count = max(1, opportunities // 10)
	lead_fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "lead_name"]
	lead_fields += ["company_name", "title", "status", "lead_owner"]
	leads = [
		(f"LEAD-BENCH-{i:06d}", timestamp, timestamp, "Administrator", "Administrator", "LEAD-.YYYY.-")
		+ (f"Person {i}", f"Company {i}", f"Company {i}", "Opportunity", rng.choice(users))
		for i in range(lead_count)
	]
	frappe.db.bulk_insert("Pipeline Lead", lead_fields, leads, chunk_size=5000)

	due_count = int(opportunities * due_share)
	fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "opportunity_from"]
	fields += ["party_name", "customer_name", "title", "status", "transaction_date", "opportunity_owner"]
	fields += ["sales_stage", "probability", "expected_closing", "opportunity_amount"]
	fields += ["contact_by", "contact_date", "to_discuss"]
	rows = []
	for i in range(opportunities):
		lead = i % lead_count
		if i < due_count:  # due today, between 08:00 and 18:00
			contact_date = add_to_date(today, hours=8, minutes=rng.randrange(0, 600))
		else:  # a later day within about four months (an earlier one would be overdue)
			offset = rng.randrange(1, 121)
			contact_date = add_to_date(add_days(today, offset), hours=rng.randrange(8, 18))
		rows.append(
			(f"OPP-BENCH-{i:06d}", timestamp, timestamp, "Administrator", "Administrator", "OPP-.YYYY.-")
			+ ("Pipeline Lead", f"LEAD-BENCH-{lead:06d}", f"Company {lead}", f"Company {lead}", "Open")
			+ (
				nowdate(),
				rng.choice(users),
				"Prospecting",
				10,
				add_days(today, 30),
				rng.randrange(1000, 90000),
			)
			+ (rng.choice(users), contact_date, f"Call about offer {i}")
		)
	frappe.db.bulk_insert("Pipeline Opportunity", fields, rows, chunk_size=5000)
	frappe.db.commit()
	return due_count


def floor(due_rows: list) -> None:
	"""The same Events and Notification Logs the job makes, field for field, inserted one pair per
	transaction through the ORM with nothing else around them."""
	for row in due_rows:
		event = frappe.get_doc(
			{
				"doctype": "Event",
				"event_type": "Private",
				"event_category": "Call",
				"send_reminder": 0,
				**get_event_values("Pipeline Opportunity", row),
				"event_participants": [
					{"reference_doctype": "Pipeline Opportunity", "reference_docname": row.name}
				],
			}
		)
		event.insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": row.contact_by,
				"type": "Alert",
				"document_type": "Pipeline Opportunity",
				"document_name": row.name,
				"subject": get_reminder_subject("Pipeline Opportunity", row),
				"email_content": as_html_text(row.to_discuss),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()


def remove_made_records() -> None:
	"""What the floor or the job made: the data is as filled again."""
	for table in ("Notification Log", "Event Participants", "Event", "Pipeline Follow Up"):
		frappe.db.sql(f"TRUNCATE `tab{table}`")  # nosemgrep: fixed table names
	frappe.db.commit()


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--opportunities", type=int, default=100_000)
	parser.add_argument("--due-share", type=float, default=0.01, help="share due today (default 0.01)")
	parser.add_argument("--seed", type=int, default=2026)
	parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
	args = parser.parse_args()

	frappe.init(site=args.site, sites_path=str(Path.cwd()))
	frappe.connect()
	frappe.set_user("Administrator")
	users = ensure_users()
	wipe()
	started = time.perf_counter()
	due_count = fill(args.opportunities, args.due_share, users, args.seed)
	print(
		f"filled {args.opportunities} opportunities ({due_count} due today) in {time.perf_counter() - started:.1f} s"
	)

	today = get_datetime(nowdate())
	due_rows = get_due_follow_ups("Pipeline Opportunity", today, add_days(today, 1))
	assert len(due_rows) == due_count, (len(due_rows), due_count)
	plan = frappe.db.sql(
		"EXPLAIN SELECT name FROM `tabPipeline Opportunity` WHERE contact_date >= %s AND contact_date < %s",
		(today, add_days(today, 1)),
		as_dict=True,
	)[0]
	print(f"due-today query plan: type={plan.type} key={plan.key} rows={plan.rows}")

	# Warm Frappe's metadata caches for both sides before measuring either.
	floor(due_rows[:10])
	run_follow_up_reminders(commit=True)
	remove_made_records()

	floor_label = "floor: ORM insert of the Events + Notification Logs"
	results = {}
	for _round in range(args.rounds):
		measure(floor_label, lambda: floor(due_rows), results)
		remove_made_records()
		outcome = {}
		measure(
			"day's job, first run",
			lambda: outcome.update(first=run_follow_up_reminders(commit=True)),
			results,
		)
		measure(
			"day's job, second run",
			lambda: outcome.update(second=run_follow_up_reminders(commit=True)),
			results,
		)
		first, second = outcome["first"], outcome["second"]
		assert first.notified == due_count and first.events_created == due_count and not first.failed, first
		assert second.notified == 0 and not second.failed, second
		assert frappe.db.count("Notification Log") == due_count
		assert frappe.db.count("Event") == due_count
		remove_made_records()

	floor_time = statistics.median(seconds for seconds, _queries in results[floor_label])
	print()
	print(f"{args.rounds} interleaved rounds")
	print(f"{'':52} {'median (s)':>10} {'min (s)':>8} {'queries':>8} {'x floor':>8}")
	for label, runs in results.items():
		median = statistics.median(seconds for seconds, _queries in runs)
		print(
			f"{label:52} {median:10.2f} {min(seconds for seconds, _q in runs):8.2f} "
			f"{runs[-1][1]:8d} {median / floor_time:8.2f}"
		)
	ratio = statistics.median(seconds for seconds, _queries in results["day's job, first run"]) / floor_time
	print()
	print(f"first run / floor = {ratio:.2f} (medians; target <= 1.2); {due_count} notified and Events made")
	frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
