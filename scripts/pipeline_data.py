"""Synthetic pipeline history for scripts/benchmark.py and scripts/forecast_accuracy.py.

`fill()` writes OPPORTUNITIES opportunities created over the last MONTHS months straight to the
database (`frappe.db.bulk_insert`, as an import would), each with the history the app would have
recorded for it (`history.bulk_insert_history`): a row at creation and one at every change, with
from_stage / from_status, Converted carrying probability 100 and Lost / Closed 0, the opportunity's
own row holding the state after its last change up to now.

A deal starts in the first stages, moves up one stage at a time over weeks, and ends Converted
(from the last stage only), Lost or Closed. Whether it moves on from a stage is drawn so that the
share of the deals that reached stage i and were won is exactly `win_rates[i]`: the TRUE win rate
of each stage, which the data sets apart from the stages' default probabilities. Reps keep the
probability at the stage's default (a few set their own), amounts change now and then, the expected
closing is set at creation (none on a few deals) and slips when the deal is still open as it
passes, a few days before or after. Won deals close near their expected closing unless they slip.

Everything is drawn from `random.Random(seed)`: the same arguments give the same data."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import frappe
from frappe.utils import add_months, get_datetime, getdate, now, now_datetime

from sales_pipeline.sales_pipeline.history import bulk_insert_history

BENCH_USER_DOMAIN = "bench.sales-pipeline.test"
PIPELINE_USERS = 20
# A Sales User who may read one customer only (a User Permission on Pipeline Customer).
RESTRICTED_USER = f"rep-restricted@{BENCH_USER_DOMAIN}"
RESTRICTED_CUSTOMER = "Customer 0"
OPEN_STATUSES = ("Open", "Replied", "Quotation")
OTHER_CURRENCIES = ("EUR", "GBP")
# The true win rate (in %) of a deal that reached each stage, in the stages' sort order: far below
# the seeded defaults (10, 20, 30, 40, 50, 60, 75, 90), as with reps who see their deals rosier.
TRUE_WIN_RATES = (2.0, 5.0, 9.0, 18.0, 26.0, 33.0, 42.0, 52.0)
# Stage (index) from which an open deal is Replied (half of them) and in Quotation.
REPLIED_FROM_STAGE, QUOTATION_FROM_STAGE = 2, 6
BATCH = 5_000


@dataclass
class Plan:
	"""What to generate."""

	opportunities: int
	months: int = 24
	seed: int = 2026
	win_rates: tuple = TRUE_WIN_RATES
	# Share of the deals in the site's default currency; the rest split between OTHER_CURRENCIES.
	default_currency_share: float = 0.8
	# Share of the won deals that close weeks after their (first) expected closing.
	slip_share: float = 0.2
	# Open follow-ups: this many due today (none notified yet), the other open deals planned in the
	# weeks ahead, overdue (already told yesterday), or without one.
	due_today: int = 0
	parties: int = 0  # leads and customers each; default opportunities / 20


def ensure_users() -> list[str]:
	"""PIPELINE_USERS Sales Users (the reps) and RESTRICTED_USER, created once per site."""
	users = [f"rep{index:02d}@{BENCH_USER_DOMAIN}" for index in range(PIPELINE_USERS)]
	for email in [*users, RESTRICTED_USER]:
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": email.split("@")[0].title(),
					"send_welcome_email": 0,
				}
			)
			user.insert(ignore_permissions=True)
			user.add_roles("Sales User")
	for currency in OTHER_CURRENCIES:
		frappe.db.set_value("Currency", currency, "enabled", 1)
	frappe.db.commit()
	return users


def ensure_restricted_user_permission() -> None:
	"""RESTRICTED_USER may read RESTRICTED_CUSTOMER only (and what links to no customer). Made after
	the customers exist, since a User Permission checks its value."""
	if not frappe.db.exists(
		"User Permission",
		{"user": RESTRICTED_USER, "allow": "Pipeline Customer", "for_value": RESTRICTED_CUSTOMER},
	):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": RESTRICTED_USER,
				"allow": "Pipeline Customer",
				"for_value": RESTRICTED_CUSTOMER,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()


def wipe() -> None:
	"""Remove what an earlier run left: the site holds nothing else."""
	for table in (
		"Pipeline Opportunity",
		"Pipeline Opportunity Item",
		"Pipeline Opportunity History",
		"Pipeline Lost Reason Detail",
		"Pipeline Lead",
		"Pipeline Customer",
		"Pipeline Item",
		"Pipeline Quotation",
		"Pipeline Quotation Item",
		"Pipeline Supplier Quotation",
		"Pipeline Supplier Quotation Item",
		"Pipeline Follow Up",
		"Notification Log",
		"Event Participants",
		"Event",
		"Error Log",
		"User Permission",
	):
		frappe.db.sql(f"TRUNCATE `tab{table}`")  # nosemgrep: fixed table names
	frappe.clear_cache()
	frappe.db.commit()


def generated_opportunities() -> int:
	"""How many opportunities `fill` left on the site; 0 when what is there is not all its data (each
	of its opportunities has history; other scripts' opportunities are named with fewer digits)."""
	count = frappe.db.count("Pipeline Opportunity", {"name": ("like", "OPP-BENCH-_______")})
	with_history = frappe.db.sql(
		"""select count(distinct opportunity) from `tabPipeline Opportunity History`
		where opportunity like 'OPP-BENCH-_______'"""
	)[0][0]
	return count if count == with_history else 0


def get_stages() -> list[frappe._dict]:
	return frappe.get_all(
		"Pipeline Sales Stage", fields=["name", "probability"], order_by="sort_order asc, name asc"
	)


class Deal:
	"""One opportunity's life: its history rows (values after each change) up to `until`."""

	def __init__(self, name: str, created: datetime, owner: str, currency: str):
		self.name, self.created, self.owner, self.currency = name, created, owner, currency
		self.rows: list[dict] = []
		self.state: dict = {}
		self.stage_since = created
		self.lost_reasons: list[str] = []

	def change(self, moment: datetime, **values) -> None:
		state = {**self.state, **values}
		if state == self.state:
			return
		if self.rows and moment <= self.rows[-1]["changed_on"]:
			moment = self.rows[-1]["changed_on"] + timedelta(seconds=1)
		if self.state and state["sales_stage"] != self.state["sales_stage"]:
			self.stage_since = moment
		self.rows.append(
			{
				"opportunity": self.name,
				"changed_on": moment,
				"changed_by": self.owner,
				"from_stage": self.state.get("sales_stage"),
				"from_status": self.state.get("status"),
				**state,
			}
		)
		self.state = state


def simulate(
	rng: random.Random, deal: Deal, stages: list, plan: Plan, until: datetime, lost_reasons: list[str]
) -> None:
	"""Draw the deal's path, times and values, and record its changes up to `until`."""
	count = len(stages)
	rates = [plan.win_rates[min(index, len(plan.win_rates) - 1)] / 100 for index in range(count)]
	stage = min(rng.choices((0, 1, 2), weights=(70, 20, 10))[0], count - 1)
	path = [stage]
	while True:
		if stage == count - 1:
			won = rng.random() < rates[stage]
			break
		if rng.random() < rates[stage] / rates[stage + 1]:
			stage += 1
			path.append(stage)
		else:
			won = False
			break

	planned_days = rng.uniform(30, 180)
	has_closing = rng.random() >= 0.05
	expected = (deal.created + timedelta(days=planned_days)).date() if has_closing else None
	if won and has_closing and rng.random() < plan.slip_share:
		end = deal.created + timedelta(days=planned_days + rng.uniform(15, 75))
	elif won:
		end = deal.created + timedelta(days=max(planned_days - rng.uniform(0, 10), 3))
	else:
		end = deal.created + timedelta(days=planned_days * rng.uniform(0.3, 1.1))
	end = end.replace(microsecond=0)

	own_probability = None
	if rng.random() < 0.15:  # a rep who sets the probability by hand keeps it
		own_probability = float(min(95, max(5, round(stages[path[0]].probability + rng.uniform(-15, 15)))))
	amount = float(round(math.exp(rng.gauss(math.log(20_000), 0.8)), -2) or 500)

	# (moment, kind, value) of every change after creation, in time order.
	events = []
	span = (end - deal.created).total_seconds()
	moments = sorted(rng.uniform(0.05, 0.95) * span for _ in path[1:])
	for offset, next_stage in zip(moments, path[1:], strict=True):
		events.append((deal.created + timedelta(seconds=offset), "stage", next_stage))
	if expected:
		moment_expected = expected
		while True:
			# The rep moves the expected closing a few days before it passes, or once it has.
			before = rng.random() < 0.5
			days = -rng.uniform(0, 5) if before else rng.uniform(1, 20)
			moment = datetime.combine(moment_expected, datetime.min.time()) + timedelta(days=days, hours=10)
			if moment >= end:
				break
			moment_expected = (moment + timedelta(days=rng.uniform(14, 60))).date()
			events.append((moment, "closing", moment_expected))
	events.append((end, "close", None))
	events.sort(key=lambda event: event[0])

	first = stages[path[0]]
	deal.change(
		deal.created,
		sales_stage=first.name,
		status="Open",
		opportunity_amount=amount,
		probability=own_probability if own_probability is not None else float(first.probability),
		expected_closing=expected,
		currency=deal.currency,
	)
	for moment, kind, value in events:
		if moment > until:
			break
		if kind == "stage":
			values = {"sales_stage": stages[value].name}
			if own_probability is None:
				values["probability"] = float(stages[value].probability)
			if value >= QUOTATION_FROM_STAGE:
				values["status"] = "Quotation"
			elif value >= REPLIED_FROM_STAGE and deal.state["status"] == "Open" and rng.random() < 0.5:
				values["status"] = "Replied"
			if rng.random() < 0.1:
				values["opportunity_amount"] = float(round(amount * rng.uniform(0.8, 1.25), -2))
			deal.change(moment, **values)
		elif kind == "closing":
			deal.change(moment, expected_closing=value)
		elif won:
			deal.change(moment, status="Converted", probability=100.0)
		else:
			status = "Lost" if rng.random() < 0.7 else "Closed"
			deal.change(moment, status=status, probability=0.0)
			if status == "Lost":
				deal.lost_reasons = rng.sample(lost_reasons, rng.choice((1, 1, 1, 2)))


def fill(plan: Plan, users: list[str], stages: list) -> dict:
	"""Bulk-insert leads, customers and the opportunities with their history; returns counts."""
	rng = random.Random(plan.seed)
	timestamp, now_ = now(), now_datetime().replace(microsecond=0)
	start = get_datetime(add_months(now_, -plan.months))
	default_currency = frappe.db.get_default("currency")
	lost_reasons = frappe.get_all("Pipeline Lost Reason", pluck="name", order_by="name")
	parties = plan.parties or max(1, plan.opportunities // 20)
	insert_parties(parties, users, rng, timestamp)

	fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "opportunity_from"]
	fields += ["party_name", "lead", "customer", "customer_name", "title", "transaction_date"]
	fields += ["opportunity_owner", "sales_stage_since", "status", "sales_stage", "probability"]
	fields += [
		"expected_closing",
		"currency",
		"opportunity_amount",
		"to_discuss",
		"contact_by",
		"contact_date",
	]
	summary = {"opportunities": 0, "history_rows": 0, "open": 0, "Converted": 0, "Lost": 0, "Closed": 0}
	open_deals = []
	seconds = (now_ - start).total_seconds()
	for batch_start in range(0, plan.opportunities, BATCH):
		rows, history, reasons = [], [], []
		for index in range(batch_start, min(batch_start + BATCH, plan.opportunities)):
			created = start + timedelta(seconds=int(seconds * index / plan.opportunities))
			currency = default_currency
			if rng.random() >= plan.default_currency_share:
				currency = rng.choice(OTHER_CURRENCIES)
			owner = rng.choice(users)
			deal = Deal(f"OPP-BENCH-{index:07d}", created, owner, currency)
			simulate(rng, deal, stages, plan, now_, lost_reasons)
			party = rng.randrange(parties)
			from_lead = rng.random() < 0.5
			party_name = f"LEAD-BENCH-{party:06d}" if from_lead else f"Customer {party}"
			title = f"Lead Company {party}" if from_lead else party_name
			state = deal.state
			rows.append(
				(deal.name, created, deal.rows[-1]["changed_on"], owner, owner, "OPP-.YYYY.-")
				+ ("Pipeline Lead" if from_lead else "Pipeline Customer", party_name)
				+ (party_name if from_lead else None, None if from_lead else party_name, title, title)
				+ (created.date(), owner, deal.stage_since, state["status"], state["sales_stage"])
				+ (state["probability"], state["expected_closing"], state["currency"])
				+ (state["opportunity_amount"], f"Next steps for {title}", None, None)
			)
			history += deal.rows
			for idx, reason in enumerate(deal.lost_reasons, start=1):
				reasons.append((f"{deal.name}-{idx}", deal.name, "Pipeline Opportunity", "lost_reasons"))
				reasons[-1] += (idx, reason, timestamp, timestamp, owner, owner)
			if state["status"] in OPEN_STATUSES:
				# Written at the end, with their follow-ups.
				open_deals.append(rows.pop())
			else:
				summary[state["status"]] += 1
		frappe.db.bulk_insert("Pipeline Opportunity", fields, rows, chunk_size=BATCH)
		bulk_insert_history(history)
		frappe.db.bulk_insert(
			"Pipeline Lost Reason Detail",
			["name", "parent", "parenttype", "parentfield", "idx", "lost_reason"]
			+ ["creation", "modified", "owner", "modified_by"],
			reasons,
			chunk_size=BATCH,
		)
		frappe.db.commit()
		summary["opportunities"] += len(rows)
		summary["history_rows"] += len(history)
	summary["open"] = len(open_deals)
	summary["opportunities"] += len(open_deals)
	open_deals, follow_up_summary = plan_follow_ups(rng, open_deals, users, plan.due_today, now_)
	summary.update(follow_up_summary)
	frappe.db.bulk_insert("Pipeline Opportunity", fields, open_deals, chunk_size=BATCH)
	frappe.db.commit()
	for table in ("Pipeline Opportunity", "Pipeline Opportunity History", "Pipeline Lost Reason Detail"):
		frappe.db.sql(f"ANALYZE TABLE `tab{table}`")  # nosemgrep: fixed table names
	return summary


def insert_parties(parties: int, users: list[str], rng: random.Random, timestamp: str) -> None:
	lead_fields = ["name", "creation", "modified", "owner", "modified_by", "naming_series", "lead_name"]
	lead_fields += ["company_name", "title", "status", "lead_owner"]
	frappe.db.bulk_insert(
		"Pipeline Lead",
		lead_fields,
		[
			(f"LEAD-BENCH-{i:06d}", timestamp, timestamp, "Administrator", "Administrator", "LEAD-.YYYY.-")
			+ (f"Person {i}", f"Lead Company {i}", f"Lead Company {i}", "Opportunity", rng.choice(users))
			for i in range(parties)
		],
		chunk_size=BATCH,
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
			for i in range(parties)
		],
		chunk_size=BATCH,
	)


def plan_follow_ups(rng: random.Random, open_rows: list, users: list[str], due_today: int, now_):
	"""Next Contact By / Date on the open deals' rows (whose last two values are those): `due_today`
	of them today between 08:00 and 18:00 (not notified yet, no Event, as an import leaves them),
	the others within the next 40 days, or overdue by up to 20 days (their user already had the
	day's and the overdue notification: `Pipeline Follow Up` rows say so), or none. Returns the rows
	and counts."""
	today = datetime.combine(getdate(now_), datetime.min.time())
	order = list(range(len(open_rows)))
	rng.shuffle(order)
	due = set(order[:due_today])
	rows, notified, follow_ups = [], [], 0
	for position, row in enumerate(open_rows):
		user = rng.choice(users)
		if position in due:
			when = today + timedelta(hours=8, minutes=rng.randrange(600))
		else:
			draw = rng.random()
			if draw < 0.6:
				when = today + timedelta(days=rng.randrange(1, 41), hours=rng.randrange(8, 18))
			elif draw < 0.85:
				when = today - timedelta(days=rng.randrange(1, 21)) + timedelta(hours=rng.randrange(8, 18))
			else:
				rows.append(row)
				continue
		follow_ups += 1
		rows.append(row[:-2] + (user, when))
		if when < today:
			notified.append((f"BENCH-FU-{len(notified):07d}", "Pipeline Opportunity", row[0], user, when))
	timestamp = now()
	frappe.db.bulk_insert(
		"Pipeline Follow Up",
		["name", "reference_doctype", "reference_name", "notified_user", "notified_contact_date"]
		+ ["overdue_notified_user", "overdue_notified_contact_date", "creation", "modified"]
		+ ["owner", "modified_by"],
		[row + row[3:5] + (timestamp, timestamp, "Administrator", "Administrator") for row in notified],
		chunk_size=BATCH,
	)
	return rows, {"due_today": len(due), "follow_ups": follow_ups, "overdue": len(notified)}
