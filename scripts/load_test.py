"""Load test: concurrent sales users, the follow-up job and the known races, then the invariants.

Run through scripts/load-test.sh, which makes sure the site exists with the app installed, from the
bench's `sites` directory with the bench's Python:

    ../env/bin/python load_test.py --site load-test.sales-pipeline.localhost --users 10 --seconds 90

What it does, in order:
  1. empties the load-test site's pipeline documents, Events and notifications, creates the sales users
     (Sales User; every other one also Sales Manager, who may cancel quotations) and seeds customers,
     leads, items and opportunities with items, some with a follow-up due today. The site's time zone
     is set so that its day has most of its hours ahead: follow-ups due today need them.
  2. serves the site with gunicorn on 127.0.0.1 (never any other address);
  3. for SECONDS, each of USERS threads logs in over the REST API and works like a sales person:
     lists, reads, creates and edits opportunities and leads, sets, moves and clears follow-ups due
     today, makes and submits quotations, cancels them (managers), marks them ordered, declares
     opportunities lost, closes and reopens them; beside them the day's follow-up job runs in a loop,
     as the scheduler would run it, and once a gunicorn worker is killed mid-request (SIGKILL; the
     gunicorn master starts a new one);
  4. meanwhile runs the three races, RACE_ROUNDS times each: two submitted quotations of one
     opportunity cancelled at the same moment by two managers; the follow-up job running (twice at
     once) while users clear or move follow-ups due today; declare_enquiry_lost, close and a new
     opportunity on the same lead at the same moment;
  5. stops the server and checks from the database: each opportunity's status agrees with its
     quotations and each lead's with its opportunities; one open Event per open follow-up, at its user
     and time, and none for a document without one; no reminder twice, none for a follow-up that had
     been cleared, moved or closed when it was written; no opportunity or quotation missing its items.

It prints the requests, the errors by kind, p50/p95 latency per request kind and the violations, and
exits 1 when there is a violation or a 5xx answer. It wipes the site it runs on, so it only runs on a
site whose name contains "load-test".
"""

import argparse
import collections
import ctypes
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import frappe
import requests

HOST = "127.0.0.1"  # the only address this script sends traffic to
PASSWORD = "Load-Test-2026!"
USER_DOMAIN = "load-test.example.com"
ITEM_COUNT = 8
REQUEST_TIMEOUT = 60
FOLLOW_UP_JOB = "sales_pipeline.sales_pipeline.follow_up.send_follow_up_reminders"
FOLLOW_UP_DOCTYPES = ("Pipeline Opportunity", "Pipeline Lead")
CLOSED_STATUSES = {
	"Pipeline Opportunity": ("Converted", "Lost", "Closed"),
	"Pipeline Lead": ("Converted", "Do Not Contact"),
}
LEAD_PIPELINE_STATUSES = ("Opportunity", "Quotation", "Lost Quotation", "Converted")
EXAMPLES = 5

# Masters the run keeps from one run to the next; every other table of the app is emptied.
KEPT_DOCTYPES = {"Pipeline Item", "Pipeline Sales Stage", "Pipeline Lost Reason", "Pipeline Supplier"}


def parse_args():
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--users", type=int, default=10, help="concurrent sales users (default 10)")
	parser.add_argument(
		"--seconds",
		type=int,
		default=90,
		help="how long the users work at least; they go on until the races are done (default 90)",
	)
	parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
	parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
	parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
	parser.add_argument("--race-rounds", type=int, default=5, help="rounds of each race (default 5)")
	parser.add_argument(
		"--job-interval", type=float, default=2.0, help="pause between follow-up job runs (s)"
	)
	parser.add_argument("--no-kill", action="store_true", help="do not kill a gunicorn worker mid-run")
	parser.add_argument(
		"--max-requests", type=int, default=50000, help="stop the users after this many requests"
	)
	parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
	args = parser.parse_args()
	if "load-test" not in args.site:
		parser.error(
			f"{args.site}: this script empties the site it runs on; give a site whose name contains 'load-test'"
		)
	if not (1 <= args.users <= 100 and 1 <= args.seconds <= 3600 and 1 <= args.workers <= 16):
		parser.error("--users 1-100, --seconds 1-3600 and --workers 1-16")
	return args


# Time ------------------------------------------------------------------------------------------


class SiteClock:
	"""The site's wall-clock time, naive, as Frappe stores it (creation, contact_date, starts_on)."""

	def __init__(self, time_zone: str):
		self.zone = ZoneInfo(time_zone)

	def now(self) -> datetime:
		return datetime.now(self.zone).replace(tzinfo=None)

	def today_at(self, minutes_from_now: int) -> datetime | None:
		"""A time today at least `minutes_from_now` ahead (whole minutes), or None when the day is over."""
		now = self.now()
		latest = now.replace(hour=23, minute=50, second=0, microsecond=0)
		earliest = (now + timedelta(minutes=minutes_from_now)).replace(second=0, microsecond=0)
		if earliest > latest:
			return None
		span = int((latest - earliest).total_seconds() // 60)
		return earliest + timedelta(minutes=random.randint(0, span))


def morning_time_zone() -> str:
	"""A fixed-offset zone in which it is now between 08:00 and 09:00, so the day has hours left."""
	offset = ((8 - datetime.now(timezone.utc).hour + 12) % 24) - 12
	if offset == 0:
		return "Etc/GMT"
	# Etc/GMT-N is N hours ahead of UTC (the POSIX sign).
	return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def as_text(value: datetime) -> str:
	return value.strftime("%Y-%m-%d %H:%M:%S")


# Statistics --------------------------------------------------------------------------------------


class Stats:
	"""Every request: its kind, latency and outcome."""

	def __init__(self):
		self.lock = threading.Lock()
		self.latencies = collections.defaultdict(list)
		self.errors = collections.Counter()  # (status, exception type) -> count
		self.error_kinds = collections.defaultdict(collections.Counter)  # same key -> request kinds
		self.error_examples = collections.defaultdict(list)  # up to 3 different ones a kind
		self.kind_errors = collections.Counter()
		self.total = 0
		self.job_runs: list[float] = []
		self.job_failures: list[str] = []

	def record(self, kind: str, ms: float, status, exc_type: str | None, message: str) -> None:
		with self.lock:
			self.total += 1
			self.latencies[kind].append(ms)
			if exc_type is not None:
				key = (status, exc_type)
				self.errors[key] += 1
				self.error_kinds[key][kind] += 1
				self.kind_errors[kind] += 1
				example = f"{kind}: {message}"
				if len(self.error_examples[key]) < 3 and example not in self.error_examples[key]:
					self.error_examples[key].append(example)

	def server_errors(self) -> int:
		return sum(count for (status, _exc), count in self.errors.items() if status and status >= 500)


def percentile(values: list[float], share: float) -> float:
	ordered = sorted(values)
	return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# The follow-up changes the users made, to judge each reminder against ----------------------------


@dataclass
class Change:
	sent: datetime
	returned: datetime
	kind: str  # "follow-up" (value: (user, contact_date) or None) or "status" (value: "open"/"closed")
	value: object


class ChangeLog:
	"""What each document's follow-up and open/closed state were set to, and when the request that set
	them was sent and answered. A request that lost its connection leaves the document uncertain."""

	def __init__(self, clock: SiteClock):
		self.clock = clock
		self.lock = threading.Lock()
		self.changes: dict[tuple, list[Change]] = collections.defaultdict(list)
		self.uncertain: set[tuple] = set()
		self.used: dict[tuple, set] = collections.defaultdict(set)

	def add(self, doc: tuple, sent: datetime, kind: str, value) -> None:
		with self.lock:
			self.changes[doc].append(Change(sent, self.clock.now(), kind, value))

	def mark_uncertain(self, doc: tuple) -> None:
		with self.lock:
			self.uncertain.add(doc)

	def claim(self, doc: tuple, user: str, when: datetime) -> bool:
		"""A follow-up value this document never had: a reminder for it can only be the first."""
		with self.lock:
			key = (user, when.strftime("%Y-%m-%d %H:%M"))
			if key in self.used[doc]:
				return False
			self.used[doc].add(key)
			return True

	def in_force(self, doc: tuple, at: datetime):
		"""(follow-up, open) as the users had left it at `at`, or None when a change was in flight then."""
		follow_up, is_open = None, True
		for change in sorted(self.changes.get(doc, ()), key=lambda change: change.returned):
			if change.sent <= at <= change.returned:
				return None
			if change.returned < at:
				if change.kind == "follow-up":
					follow_up = change.value
				else:
					is_open = change.value == "open"
		return follow_up, is_open


# HTTP -----------------------------------------------------------------------------------------


@dataclass
class Result:
	ok: bool
	status: int | None = None
	data: object = None
	exc_type: str | None = None
	lost_connection: bool = False


class Api:
	"""One logged-in browser: an HTTP client with its own cookies, talking to 127.0.0.1 only."""

	def __init__(self, base_url: str, site: str, stats: Stats, user: str):
		assert base_url.startswith(f"http://{HOST}:"), base_url
		self.base_url, self.stats, self.user = base_url, stats, user
		self.http = requests.Session()
		self.http.headers.update({"X-Frappe-Site-Name": site, "Accept": "application/json"})

	def login(self) -> bool:
		"""Log in; tried again when the connection was cut (the killed worker)."""
		for _attempt in range(3):
			result = self.request(
				"login", "POST", "/api/method/login", data={"usr": self.user, "pwd": PASSWORD}
			)
			if not result.lost_connection:
				return result.ok
		return False

	def request(self, kind: str, method: str, path: str, **kwargs) -> Result:
		started = time.perf_counter()
		try:
			response = self.http.request(method, self.base_url + path, timeout=REQUEST_TIMEOUT, **kwargs)
		except requests.RequestException as exc:
			self.stats.record(
				kind, (time.perf_counter() - started) * 1000, None, type(exc).__name__, str(exc)[:160]
			)
			return Result(ok=False, exc_type=type(exc).__name__, lost_connection=True)
		ms = (time.perf_counter() - started) * 1000
		try:
			body = response.json()
		except ValueError:
			body = {}
		if response.status_code >= 400:
			exc_type = body.get("exc_type") or "-"
			message = server_message(body) or response.reason
			if response.status_code >= 500:
				message += app_frames(body)
			self.stats.record(kind, ms, response.status_code, exc_type, message)
			return Result(ok=False, status=response.status_code, exc_type=exc_type)
		self.stats.record(kind, ms, response.status_code, None, "")
		return Result(ok=True, status=response.status_code, data=body.get("message", body.get("data")))

	def method(self, kind: str, dotted_path: str, **data) -> Result:
		return self.request(kind, "POST", f"/api/method/{dotted_path}", data=data)

	def get_doc(self, kind: str, doctype: str, name: str) -> Result:
		return self.request(kind, "GET", f"/api/resource/{doctype}/{name}")

	def insert(self, kind: str, doctype: str, doc: dict) -> Result:
		return self.request(kind, "POST", f"/api/resource/{doctype}", json=doc)

	def update(self, kind: str, doctype: str, name: str, values: dict) -> Result:
		return self.request(kind, "PUT", f"/api/resource/{doctype}/{name}", json=values)

	def run_doc_method(
		self, kind: str, doctype: str, name: str, method: str, args: dict | None = None
	) -> Result:
		return self.method(
			kind, "run_doc_method", dt=doctype, dn=name, method=method, args=json.dumps(args or {})
		)


def app_frames(body: dict) -> str:
	"""Where in the app a server error was raised: the last frames of this app in the traceback
	Frappe sends back (when the site allows tracebacks)."""
	try:
		traceback = "\n".join(json.loads(body.get("exc") or "[]"))
	except (ValueError, TypeError):
		return ""
	frames = re.findall(r'File "[^"]*/(sales_pipeline/[^"]+)", line (\d+), in (\w+)', traceback)
	return (
		"; at " + " > ".join(f"{path}:{line} {function}" for path, line, function in frames[-3:])
		if frames
		else ""
	)


def server_message(body: dict) -> str:
	"""The first message Frappe sent with an error, as plain text."""
	try:
		messages = json.loads(body.get("_server_messages") or "[]")
		message = json.loads(messages[0]).get("message", "") if messages else ""
	except (ValueError, TypeError, AttributeError):
		message = ""
	message = message or body.get("exception") or ""
	return re.sub(r"<[^>]+>", "", str(message))[:160]


# The site: users and seed data ------------------------------------------------------------------


@dataclass
class Seed:
	time_zone: str
	users: list[str]
	managers: list[str]
	items: list[str]
	customers: list[str]
	leads: list[str]
	opportunities: list[str]
	lost_reasons: list[str]


def prepare_site(args) -> tuple[Seed, ChangeLog]:
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		time_zone = morning_time_zone()
		frappe.db.set_single_value("System Settings", "time_zone", time_zone)
		frappe.clear_cache()
		clock = SiteClock(time_zone)
		log = ChangeLog(clock)
		wipe()
		users, managers = ensure_users(max(args.users, 4))
		items = ensure_items()
		lost_reasons = frappe.get_all("Pipeline Lost Reason", pluck="name")
		seed = Seed(time_zone, users, managers, items, [], [], [], lost_reasons)
		seed_documents(seed, args.users, clock, log)
		frappe.db.commit()
		return seed, log
	finally:
		frappe.destroy()


def wipe() -> None:
	"""Empty the app's documents (not its masters), Events, notifications and error logs."""
	doctypes = frappe.get_all("DocType", filters={"module": "Sales Pipeline", "issingle": 0}, pluck="name")
	tables = [doctype for doctype in doctypes if doctype not in KEPT_DOCTYPES]
	tables += ["Event", "Event Participants", "Notification Log", "Error Log"]
	frappe.db.commit()  # TRUNCATE commits implicitly: nothing may be pending
	for doctype in tables:
		if frappe.db.table_exists(doctype):
			frappe.db.sql(f"TRUNCATE `tab{doctype}`")  # nosemgrep: names from DocType, not from a user
	for doctype, fieldname in (("Comment", "reference_doctype"), ("Version", "ref_doctype")):
		frappe.db.delete(doctype, {fieldname: ("like", "Pipeline %")})
	frappe.db.commit()


def ensure_users(count: int) -> tuple[list[str], list[str]]:
	from frappe.utils.password import update_password

	users, managers = [], []
	for index in range(1, count + 1):
		email = f"rep{index:02d}@{USER_DOMAIN}"
		roles = ["Sales User"] + (["Sales Manager"] if index % 2 else [])
		if not frappe.db.exists("User", email):
			user = frappe.get_doc(
				{"doctype": "User", "email": email, "first_name": f"Rep {index:02d}", "send_welcome_email": 0}
			)
			user.insert(ignore_permissions=True)
			user.add_roles(*roles)
		update_password(email, PASSWORD)
		users.append(email)
		if "Sales Manager" in roles:
			managers.append(email)
	frappe.db.commit()
	return users, managers


def ensure_items() -> list[str]:
	codes = []
	for index in range(1, ITEM_COUNT + 1):
		code = f"LT-ITEM-{index:02d}"
		if not frappe.db.exists("Pipeline Item", code):
			frappe.get_doc(
				{
					"doctype": "Pipeline Item",
					"item_code": code,
					"item_name": f"Load test item {index}",
					"uom": "Nos",
					"standard_rate": 100 * index,
				}
			).insert(ignore_permissions=True)
		codes.append(code)
	return codes


def random_items(items: list[str]) -> list[dict]:
	return [
		{"item_code": code, "qty": random.randint(1, 9), "rate": random.randint(5, 50) * 10}
		for code in random.sample(items, random.randint(1, 3))
	]


def seed_documents(seed: Seed, user_count: int, clock: SiteClock, log: ChangeLog) -> None:
	"""Customers, leads and opportunities with items, inserted as the desk would (so they get Events);
	about a third with a follow-up due today and some with one tomorrow."""
	for index in range(1, 11):
		name = f"Load Test Customer {index:02d}"
		frappe.get_doc(
			{"doctype": "Pipeline Customer", "customer_name": name, "customer_type": "Company"}
		).insert()
		seed.customers.append(name)
	for index in range(1, 2 * user_count + 5):
		lead = frappe.get_doc(
			{
				"doctype": "Pipeline Lead",
				"lead_name": f"Lead Person {index}",
				"company_name": f"Lead Company {index}",
				"email_id": f"lead{index}-{uuid.uuid4().hex[:8]}@example.com",
			}
		)
		insert_seed(lead, seed.users, clock, log, due_today_share=0.3)
		seed.leads.append(lead.name)
	for index in range(6 * user_count):
		from_lead = index % 2 == 0
		opportunity = frappe.get_doc(
			{
				"doctype": "Pipeline Opportunity",
				"opportunity_from": "Pipeline Lead" if from_lead else "Pipeline Customer",
				"party_name": random.choice(seed.leads if from_lead else seed.customers),
				"opportunity_owner": random.choice(seed.users),
				"items": random_items(seed.items),
			}
		)
		insert_seed(opportunity, seed.users, clock, log, due_today_share=0.35)
		seed.opportunities.append(opportunity.name)


def insert_seed(doc, users: list[str], clock: SiteClock, log: ChangeLog, due_today_share: float) -> None:
	draw, when = random.random(), None
	if draw < due_today_share:
		when = clock.today_at(10)
	elif draw < due_today_share + 0.15:
		when = (clock.now() + timedelta(days=1)).replace(
			hour=random.randint(8, 17), minute=0, second=0, microsecond=0
		)
	if when:
		doc.contact_by, doc.contact_date, doc.to_discuss = (
			random.choice(users),
			as_text(when),
			"Prices and delivery",
		)
	sent = clock.now()
	doc.insert()
	frappe.db.commit()
	if when:
		key = (doc.doctype, doc.name)
		log.claim(key, doc.contact_by, when)
		log.add(key, sent, "follow-up", (doc.contact_by, when))


# The server --------------------------------------------------------------------------------------


def die_with_parent() -> None:
	"""In the gunicorn master: get SIGTERM when this script dies, so no server outlives the run."""
	libc = ctypes.CDLL("libc.so.6", use_errno=True)
	libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
	with socket.socket() as sock:
		sock.bind((HOST, 0))
		return sock.getsockname()[1]


class Server:
	"""The site under gunicorn, bound to 127.0.0.1; the site is chosen by the X-Frappe-Site-Name header."""

	def __init__(self, args):
		self.args = args
		self.port = args.port or free_port()
		self.base_url = f"http://{HOST}:{self.port}"
		self.log_path = Path("..") / "logs" / "load-test-gunicorn.log"
		self.process = None

	def start(self) -> None:
		self.log_path.parent.mkdir(exist_ok=True)
		command = [str(Path(sys.prefix) / "bin" / "gunicorn"), "-b", f"{HOST}:{self.port}"]
		command += ["-w", str(self.args.workers), "--threads", str(self.args.threads)]
		command += ["--timeout", "120", "--graceful-timeout", "15", "frappe.app:application"]
		with open(self.log_path, "a") as log:
			self.process = subprocess.Popen(
				command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
			)
		deadline = time.monotonic() + 120
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				sys.exit(f"gunicorn stopped at start (exit {self.process.returncode}); see {self.log_path}")
			try:
				response = requests.get(
					f"{self.base_url}/api/method/ping",
					headers={"X-Frappe-Site-Name": self.args.site},
					timeout=5,
				)
				if response.ok and len(self.workers()) == self.args.workers:
					return
			except requests.RequestException:
				pass
			time.sleep(0.5)
		self.stop()
		sys.exit(f"gunicorn did not answer on {self.base_url} within 120 s; see {self.log_path}")

	def workers(self) -> list[int]:
		try:
			children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
		except OSError:
			return []
		return [int(pid) for pid in children.split()]

	def kill_worker(self) -> int | None:
		workers = self.workers()
		if not workers:
			return None
		pid = random.choice(workers)
		os.kill(pid, signal.SIGKILL)
		return pid

	def stop(self) -> None:
		if not self.process or self.process.poll() is not None:
			return
		self.process.terminate()
		try:
			self.process.wait(timeout=30)
		except subprocess.TimeoutExpired:
			self.process.kill()
			self.process.wait()


# Shared state of a run ------------------------------------------------------------------------------


class Pool:
	"""The documents the steady users work on (the races keep theirs apart)."""

	def __init__(self, seed: Seed):
		self.lock = threading.Lock()
		self.lists = {
			"opportunities": list(seed.opportunities),
			"leads": list(seed.leads),
			"customers": list(seed.customers),
			"quotations": [],  # (quotation, opportunity), submitted and Open
			"closed": [],  # opportunities a user closed or declared lost
		}

	def pick(self, name: str):
		with self.lock:
			values = self.lists[name]
			return random.choice(values) if values else None

	def take(self, name: str):
		with self.lock:
			values = self.lists[name]
			return values.pop(random.randrange(len(values))) if values else None

	def add(self, name: str, value) -> None:
		with self.lock:
			self.lists[name].append(value)


@dataclass
class Run:
	args: argparse.Namespace
	seed: Seed
	log: ChangeLog
	stats: Stats
	base_url: str
	pool: Pool
	job_lock: threading.Lock = field(default_factory=threading.Lock)
	stop_users: threading.Event = field(default_factory=threading.Event)
	races_done: threading.Event = field(default_factory=threading.Event)
	# race number -> the documents of each of its rounds
	race_docs: dict = field(default_factory=lambda: collections.defaultdict(list))
	race_notes: dict = field(default_factory=lambda: collections.defaultdict(list))
	events: list = field(default_factory=list)
	server: "Server | None" = None
	load_elapsed: float = 0.0
	load_averages: list = field(default_factory=list)  # the machine's, sampled while the users work

	def api(self, user: str) -> Api:
		return Api(self.base_url, self.args.site, self.stats, user)

	def budget_left(self) -> bool:
		return not self.stop_users.is_set() and self.stats.total < self.args.max_requests


def clean_new_doc(doc: dict) -> dict:
	"""A mapped, unsaved document as a client posts it: without its temporary names and flags."""
	cleaned = {key: value for key, value in doc.items() if not key.startswith("__") and key != "name"}
	for key, value in cleaned.items():
		if isinstance(value, list):
			cleaned[key] = [
				{k: v for k, v in row.items() if not k.startswith("__") and k not in ("name", "parent")}
				if isinstance(row, dict)
				else row
				for row in value
			]
	return cleaned


def make_and_submit_quotation(api: Api, opportunity: str, prefix: str = "") -> str | None:
	"""make_quotation, insert, submit, as the desk's Create > Quotation, Save, Submit."""
	mapped = api.method(
		f"{prefix}make_quotation",
		"sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity.make_quotation",
		source_name=opportunity,
	)
	if not mapped.ok:
		return None
	inserted = api.insert(f"{prefix}insert quotation", "Pipeline Quotation", clean_new_doc(mapped.data))
	if not inserted.ok:
		return None
	submitted = api.method(f"{prefix}submit quotation", "frappe.client.submit", doc=json.dumps(inserted.data))
	return inserted.data["name"] if submitted.ok else None


def set_follow_up(run: Run, api: Api, kind: str, doc: tuple, value: tuple | None) -> Result:
	"""PUT the follow-up (user, time) or clear it (None), and note when it took effect."""
	doctype, name = doc
	values = (
		{"contact_by": value[0], "contact_date": as_text(value[1])}
		if value
		else {"contact_by": None, "contact_date": None}
	)
	sent = run.log.clock.now()
	result = api.update(kind, doctype, name, values)
	if result.ok:
		run.log.add(doc, sent, "follow-up", value)
	elif result.lost_connection:
		run.log.mark_uncertain(doc)
	return result


def pick_follow_up(run: Run, doc: tuple, tomorrow: bool = False) -> tuple | None:
	"""A user and a time (today, or tomorrow) this document's follow-up never had."""
	for _attempt in range(20):
		if tomorrow:
			when = (run.log.clock.now() + timedelta(days=1)).replace(
				hour=random.randint(8, 17), minute=random.randint(0, 59), second=0, microsecond=0
			)
		else:
			when = run.log.clock.today_at(2)
		if when is None:
			return None
		user = random.choice(run.seed.users)
		if run.log.claim(doc, user, when):
			return user, when
	return None


def status_change(
	run: Run, api: Api, kind: str, opportunity: str, method: str, now_open: bool, args=None
) -> Result:
	"""A status method of the opportunity, noted as the moment its follow-up closed or reopened."""
	doc = ("Pipeline Opportunity", opportunity)
	sent = run.log.clock.now()
	result = api.run_doc_method(kind, "Pipeline Opportunity", opportunity, method, args)
	if result.ok:
		run.log.add(doc, sent, "status", "open" if now_open else "closed")
	elif result.lost_connection:
		run.log.mark_uncertain(doc)
	return result


# A sales user -------------------------------------------------------------------------------------


class SalesUser:
	def __init__(self, run: Run, user: str):
		self.run, self.user = run, user
		self.api = run.api(user)
		self.is_manager = user in run.seed.managers
		self.actions = [
			(14, self.list_opportunities),
			(12, self.read_opportunity),
			(4, self.list_quotations),
			(3, self.create_lead),
			(8, self.create_opportunity),
			(10, self.edit_opportunity),
			(12, self.set_follow_up),
			(5, self.clear_follow_up),
			(8, self.quote),
			(4, self.cancel_quotation),
			(1.5, self.mark_ordered),
			(3, self.declare_lost),
			(2, self.close),
			(5, self.reopen),
		]

	def work(self, deadline: float, hard_deadline: float) -> None:
		"""Work until the deadline, and on until the races are done, so they all run under load."""
		weights = [weight for weight, _action in self.actions]
		actions = [action for _weight, action in self.actions]
		while self.run.budget_left() and time.monotonic() < hard_deadline:
			if time.monotonic() >= deadline and self.run.races_done.is_set():
				break
			random.choices(actions, weights)[0]()

	def list_opportunities(self):
		fields = ["name", "title", "status", "opportunity_amount", "contact_by", "contact_date"]
		self.api.request(
			"list opportunities",
			"GET",
			"/api/resource/Pipeline Opportunity",
			params={"fields": json.dumps(fields), "limit_page_length": 20, "order_by": "modified desc"},
		)

	def read_opportunity(self):
		name = self.run.pool.pick("opportunities")
		if name:
			self.api.get_doc("read opportunity", "Pipeline Opportunity", name)

	def list_quotations(self):
		fields = ["name", "status", "opportunity", "total"]
		self.api.request(
			"list quotations",
			"GET",
			"/api/resource/Pipeline Quotation",
			params={"fields": json.dumps(fields), "limit_page_length": 20, "order_by": "modified desc"},
		)

	def create_lead(self):
		suffix = uuid.uuid4().hex[:8]
		result = self.api.insert(
			"create lead",
			"Pipeline Lead",
			{
				"lead_name": f"New Person {suffix}",
				"company_name": f"New Company {suffix}",
				"email_id": f"{suffix}@example.com",
			},
		)
		if result.ok:
			self.run.pool.add("leads", result.data["name"])

	def create_opportunity(self):
		from_lead = random.random() < 0.5
		party = self.run.pool.pick("leads" if from_lead else "customers")
		doc = {
			"opportunity_from": "Pipeline Lead" if from_lead else "Pipeline Customer",
			"party_name": party,
			"opportunity_owner": self.user,
			"items": random_items(self.run.seed.items),
		}
		follow_up = None
		if random.random() < 0.3:
			follow_up = self.run.log.clock.today_at(2)
			if follow_up:
				follow_up = (random.choice(self.run.seed.users), follow_up)
				doc.update(contact_by=follow_up[0], contact_date=as_text(follow_up[1]))
		sent = self.run.log.clock.now()
		result = self.api.insert("create opportunity", "Pipeline Opportunity", doc)
		if result.ok:
			key = ("Pipeline Opportunity", result.data["name"])
			if follow_up:
				self.run.log.claim(key, *follow_up)
				self.run.log.add(key, sent, "follow-up", follow_up)
			self.run.pool.add("opportunities", result.data["name"])

	def edit_opportunity(self):
		"""Open the form, change the probability, the notes and a quantity, save (the desk's savedocs)."""
		name = self.run.pool.pick("opportunities")
		read = name and self.api.get_doc("read opportunity", "Pipeline Opportunity", name)
		if not (read and read.ok):
			return
		doc = read.data
		doc["probability"] = random.randint(5, 95)
		doc["to_discuss"] = f"Discuss option {random.randint(1, 99)}"
		if doc.get("items"):
			random.choice(doc["items"])["qty"] = random.randint(1, 12)
		self.api.method(
			"save opportunity", "frappe.desk.form.save.savedocs", doc=json.dumps(doc), action="Save"
		)

	def follow_up_target(self) -> tuple | None:
		if random.random() < 0.25:
			name = self.run.pool.pick("leads")
			return ("Pipeline Lead", name) if name else None
		name = self.run.pool.pick("opportunities")
		return ("Pipeline Opportunity", name) if name else None

	def set_follow_up(self):
		doc = self.follow_up_target()
		value = doc and pick_follow_up(self.run, doc, tomorrow=random.random() < 0.15)
		if value:
			set_follow_up(self.run, self.api, "set follow-up", doc, value)

	def clear_follow_up(self):
		doc = self.follow_up_target()
		if doc:
			set_follow_up(self.run, self.api, "clear follow-up", doc, None)

	def quote(self):
		opportunity = self.run.pool.pick("opportunities")
		quotation = opportunity and make_and_submit_quotation(self.api, opportunity)
		if quotation:
			self.run.pool.add("quotations", (quotation, opportunity))

	def cancel_quotation(self):
		if not self.is_manager:
			return self.list_quotations()
		taken = self.run.pool.take("quotations")
		if taken:
			self.api.method(
				"cancel quotation", "frappe.client.cancel", doctype="Pipeline Quotation", name=taken[0]
			)

	def mark_ordered(self):
		taken = self.run.pool.take("quotations")
		if not taken:
			return
		quotation, opportunity = taken
		doc = ("Pipeline Opportunity", opportunity)
		sent = self.run.log.clock.now()
		result = self.api.run_doc_method("set_as_ordered", "Pipeline Quotation", quotation, "set_as_ordered")
		if result.ok:
			self.run.log.add(doc, sent, "status", "closed")  # Converted: the follow-up is over
		elif result.lost_connection:
			self.run.log.mark_uncertain(doc)

	def declare_lost(self):
		opportunity = self.run.pool.pick("opportunities")
		if not opportunity:
			return
		args = {
			"lost_reasons_list": [
				{"lost_reason": reason} for reason in random.sample(self.run.seed.lost_reasons, 1)
			],
			"detailed_reason": "Went with a competitor",
		}
		result = status_change(
			self.run, self.api, "declare_enquiry_lost", opportunity, "declare_enquiry_lost", False, args
		)
		if result.ok:
			self.run.pool.add("closed", opportunity)

	def close(self):
		opportunity = self.run.pool.pick("opportunities")
		if (
			opportunity
			and status_change(
				self.run, self.api, "close_opportunity", opportunity, "close_opportunity", False
			).ok
		):
			self.run.pool.add("closed", opportunity)

	def reopen(self):
		opportunity = self.run.pool.take("closed")
		if opportunity:
			status_change(self.run, self.api, "reopen_opportunity", opportunity, "reopen_opportunity", True)


# The day's follow-up job, as the scheduler runs it ------------------------------------------------


def run_follow_up_job(run: Run) -> None:
	"""One run of the job in this thread's own Frappe connection, timed."""
	started = time.perf_counter()
	try:
		frappe.get_attr(FOLLOW_UP_JOB)()
		frappe.db.commit()
	except Exception as exc:
		frappe.db.rollback()
		run.stats.job_failures.append(f"{type(exc).__name__}: {str(exc)[:120]}")
	run.stats.job_runs.append(time.perf_counter() - started)


class FrappeThread(threading.Thread):
	"""A thread with its own connection to the site, as a scheduler worker has."""

	def __init__(self, run: Run, target, name: str):
		super().__init__(name=name, daemon=True)
		self.run_context, self.target_function = run, target

	def run(self):
		frappe.init(site=self.run_context.args.site, sites_path=".")
		frappe.connect()
		frappe.set_user("Administrator")
		try:
			self.target_function()
		finally:
			frappe.destroy()


def follow_up_job_loop(run: Run, stop: threading.Event) -> None:
	while not stop.wait(run.args.job_interval):
		with run.job_lock:
			run_follow_up_job(run)


# The races -------------------------------------------------------------------------------------------


def answer(result: Result | None) -> str:
	return str(result.status) if result and result.status else "none"


def at_once(functions: list) -> list:
	"""Run the functions in threads released together by a barrier; their results, in order."""
	barrier = threading.Barrier(len(functions))
	results = [None] * len(functions)

	def call(index, function):
		barrier.wait()
		results[index] = function()

	threads = [
		threading.Thread(target=call, args=(index, function), daemon=True)
		for index, function in enumerate(functions)
	]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(REQUEST_TIMEOUT * 3)
	return results


class Races:
	FOLLOW_UP_DOCS = 12

	def __init__(self, run: Run):
		self.run = run
		seed = run.seed
		people = [seed.managers[0], seed.managers[1 % len(seed.managers)], seed.users[1], seed.users[3]]
		self.apis = [run.api(user) for user in people]

	def login(self) -> bool:
		return all(api.login() for api in self.apis)

	def new_lead(self, api: Api, prefix: str) -> str | None:
		suffix = uuid.uuid4().hex[:8]
		result = api.insert(
			f"{prefix} create lead",
			"Pipeline Lead",
			{
				"lead_name": f"Race Person {suffix}",
				"company_name": f"Race Company {suffix}",
				"email_id": f"race-{suffix}@example.com",
			},
		)
		return result.data["name"] if result.ok else None

	def new_opportunity(self, api: Api, prefix: str, lead: str, follow_up: tuple | None = None) -> str | None:
		doc = {
			"opportunity_from": "Pipeline Lead",
			"party_name": lead,
			"items": random_items(self.run.seed.items),
		}
		if follow_up:
			doc.update(contact_by=follow_up[0], contact_date=as_text(follow_up[1]))
		sent = self.run.log.clock.now()
		result = api.insert(f"{prefix} create opportunity", "Pipeline Opportunity", doc)
		if not result.ok:
			return None
		if follow_up:
			key = ("Pipeline Opportunity", result.data["name"])
			self.run.log.claim(key, *follow_up)
			self.run.log.add(key, sent, "follow-up", follow_up)
		return result.data["name"]

	def cancel_two_quotations(self) -> None:
		"""Race 1: both submitted quotations of one opportunity cancelled at the same moment."""
		first, second = self.apis[0], self.apis[1]
		lead = self.new_lead(first, "race 1")
		opportunity = lead and self.new_opportunity(first, "race 1", lead)
		quotations = (
			[make_and_submit_quotation(api, opportunity, "race 1 ") for api in (first, second)]
			if opportunity
			else []
		)
		if len(quotations) != 2 or not all(quotations):
			self.run.race_notes[1].append("setup failed")
			return
		self.run.race_docs[1].append({("Pipeline Opportunity", opportunity), ("Pipeline Lead", lead)})
		results = at_once(
			[
				lambda api=api, quotation=quotation: api.method(
					"race 1 cancel quotation",
					"frappe.client.cancel",
					doctype="Pipeline Quotation",
					name=quotation,
				)
				for api, quotation in zip((first, second), quotations, strict=True)
			]
		)
		self.run.race_notes[1].append("cancels: " + ", ".join(answer(result) for result in results))

	def job_against_follow_up_changes(self) -> None:
		"""Race 2: the follow-up job runs, twice at once, while users clear or move follow-ups due today."""
		with self.run.job_lock:  # the steady job loop waits, so these are still to be notified
			lead = self.new_lead(self.apis[0], "race 2")
			if not lead:
				self.run.race_notes[2].append("setup failed")
				return
			follow_ups = [self.run.log.clock.today_at(30) for _index in range(self.FOLLOW_UP_DOCS)]
			if not all(follow_ups):
				self.run.race_notes[2].append("no time left today")
				return

			def create(api_index):
				return [
					self.new_opportunity(
						self.apis[api_index], "race 2", lead, (random.choice(self.run.seed.users), when)
					)
					for when in follow_ups[api_index::4]
				]

			created = at_once([lambda index=index: create(index) for index in range(4)])
			opportunities = sorted(name for names in created if names for name in names if name)
			docs = [("Pipeline Opportunity", name) for name in opportunities]
			self.run.race_docs[2].append(set(docs))
			plans = []
			for index, doc in enumerate(docs):
				if index % 4 in (0, 1):
					plans.append((doc, "race 2 clear follow-up", None))
				else:
					value = pick_follow_up(self.run, doc, tomorrow=index % 4 == 3)
					plans.append((doc, "race 2 move follow-up", value))

			def change(api_index):
				for doc, kind, value in plans[api_index::4]:
					if kind == "race 2 clear follow-up" or value:
						set_follow_up(self.run, self.apis[api_index], kind, doc, value)

			# Two runs of the job at once, as two scheduler workers may: each must still remind once.
			ready, go = threading.Barrier(3), threading.Event()

			def job():
				ready.wait(REQUEST_TIMEOUT)
				go.wait(REQUEST_TIMEOUT)
				run_follow_up_job(self.run)

			job_threads = [FrappeThread(self.run, job, f"race-2-job-{index}") for index in range(2)]
			for thread in job_threads:
				thread.start()
			ready.wait(REQUEST_TIMEOUT)
			at_once([go.set] + [lambda index=index: change(index) for index in range(4)])
			for thread in job_threads:
				thread.join(REQUEST_TIMEOUT * 5)
			self.run.race_notes[2].append(f"{len(docs)} follow-ups changed while two job runs went")

	def lost_under_load(self) -> None:
		"""Race 3: two opportunities of one lead declared lost, a third closed and a new one made, at once."""
		api = self.apis[0]
		lead = self.new_lead(api, "race 3")
		opportunities = [self.new_opportunity(api, "race 3", lead) for _index in range(3)] if lead else []
		if len(opportunities) != 3 or not all(opportunities):
			self.run.race_notes[3].append("setup failed")
			return
		round_docs = {("Pipeline Lead", lead)} | {("Pipeline Opportunity", name) for name in opportunities}
		self.run.race_docs[3].append(round_docs)
		args = {
			"lost_reasons_list": [{"lost_reason": self.run.seed.lost_reasons[0]}],
			"detailed_reason": "Price",
		}
		results = at_once(
			[
				lambda: status_change(
					self.run,
					self.apis[0],
					"race 3 declare_enquiry_lost",
					opportunities[0],
					"declare_enquiry_lost",
					False,
					args,
				),
				lambda: status_change(
					self.run,
					self.apis[1],
					"race 3 declare_enquiry_lost",
					opportunities[1],
					"declare_enquiry_lost",
					False,
					args,
				),
				lambda: status_change(
					self.run,
					self.apis[2],
					"race 3 close_opportunity",
					opportunities[2],
					"close_opportunity",
					False,
				),
				lambda: self.apis[3].insert(
					"race 3 create opportunity",
					"Pipeline Opportunity",
					{
						"opportunity_from": "Pipeline Lead",
						"party_name": lead,
						"items": random_items(self.run.seed.items),
					},
				),
			]
		)
		if results[3] and results[3].ok:
			round_docs.add(("Pipeline Opportunity", results[3].data["name"]))
		self.run.race_notes[3].append("answers: " + ", ".join(answer(result) for result in results))

	def run_all(self, hard_deadline: float) -> None:
		"""RACE_ROUNDS rounds of the three races, one race at a time: a race whose requests queued
		behind another race's in the server would no longer start together."""
		if not self.login():
			self.run.race_notes[0].append("the race users could not log in")
			return
		for _round in range(self.run.args.race_rounds):
			for race in (
				self.cancel_two_quotations,
				self.job_against_follow_up_changes,
				self.lost_under_load,
			):
				if time.monotonic() > hard_deadline:
					self.run.race_notes[0].append("the races stopped at the time limit")
					return
				try:
					race()
				except Exception as exc:
					self.run.race_notes[0].append(f"{race.__name__}: {type(exc).__name__}: {exc}")


# The invariants, from the database ------------------------------------------------------------------


class Violations:
	def __init__(self):
		self.found: dict[str, list[tuple]] = collections.defaultdict(list)

	def add(self, kind: str, doc: tuple, message: str) -> None:
		self.found[kind].append((doc, message))

	def count(self) -> int:
		return sum(len(entries) for entries in self.found.values())

	def docs(self) -> set:
		return {doc for entries in self.found.values() for doc, _message in entries}


def expected_opportunity_status(status: str, quotation_statuses: set) -> str | None:
	"""The status the submitted quotations give the opportunity, or None when its own one stands."""
	if status == "Closed":
		return None  # closed by hand, whatever its quotations
	if status == "Lost":
		return "Converted or Quotation" if quotation_statuses & {"Open", "Ordered"} else None
	if "Ordered" in quotation_statuses:
		expected = "Converted"
	elif "Open" in quotation_statuses:
		expected = "Quotation"
	else:
		return None if status in ("Open", "Replied") else "Open"
	return None if status == expected else expected


def expected_lead_status(lead, opportunity_statuses: set) -> str | None:
	"""The status the lead's customer and opportunities give it (README: statuses move with the deal)."""
	if lead.status == "Do Not Contact":
		return None
	if lead.customer or "Converted" in opportunity_statuses:
		expected = "Converted"
	elif "Quotation" in opportunity_statuses:
		expected = "Quotation"
	elif opportunity_statuses & {"Open", "Replied", "Closed"}:
		expected = "Opportunity"
	elif "Lost" in opportunity_statuses:
		expected = "Lost Quotation"
	else:
		return "not a pipeline status" if lead.status in LEAD_PIPELINE_STATUSES else None
	return None if lead.status == expected else expected


def check_invariants(run: Run) -> Violations:
	violations = Violations()
	opportunities = frappe.get_all(
		"Pipeline Opportunity",
		fields=[
			"name",
			"status",
			"opportunity_from",
			"party_name",
			"contact_by",
			"contact_date",
			"with_items",
			"total",
		],
		limit_page_length=0,
	)
	leads = frappe.get_all(
		"Pipeline Lead",
		fields=["name", "status", "customer", "contact_by", "contact_date"],
		limit_page_length=0,
	)
	quotations = frappe.get_all(
		"Pipeline Quotation",
		fields=["name", "opportunity", "docstatus", "status", "total"],
		limit_page_length=0,
	)
	check_statuses(violations, opportunities, leads, quotations)
	check_items(violations, opportunities, quotations)
	check_events(violations, opportunities, leads)
	check_reminders(violations, run.log)
	return violations


def check_statuses(violations: Violations, opportunities, leads, quotations) -> None:
	submitted = collections.defaultdict(set)
	for quotation in quotations:
		if quotation.docstatus == 1 and quotation.opportunity:
			submitted[quotation.opportunity].add(quotation.status)
	for opportunity in opportunities:
		expected = expected_opportunity_status(opportunity.status, submitted[opportunity.name])
		if expected:
			violations.add(
				"opportunity status disagrees with its quotations",
				("Pipeline Opportunity", opportunity.name),
				f"{opportunity.name} is {opportunity.status}, its submitted quotations are "
				f"{sorted(submitted[opportunity.name]) or 'none'}: expected {expected}",
			)
	by_lead = collections.defaultdict(set)
	for opportunity in opportunities:
		if opportunity.opportunity_from == "Pipeline Lead":
			by_lead[opportunity.party_name].add(opportunity.status)
	for lead in leads:
		expected = expected_lead_status(lead, by_lead[lead.name])
		if expected:
			violations.add(
				"lead status disagrees with its opportunities",
				("Pipeline Lead", lead.name),
				f"{lead.name} is {lead.status}, its opportunities are {sorted(by_lead[lead.name]) or 'none'}: "
				f"expected {expected}",
			)


def check_items(violations: Violations, opportunities, quotations) -> None:
	for doctype, documents, item_doctype in (
		("Pipeline Opportunity", opportunities, "Pipeline Opportunity Item"),
		("Pipeline Quotation", quotations, "Pipeline Quotation Item"),
	):
		amounts = collections.defaultdict(list)
		for row in frappe.get_all(item_doctype, fields=["parent", "amount"], limit_page_length=0):
			amounts[row.parent].append(row.amount)
		for doc in documents:
			# Every opportunity and quotation of the run is made with items.
			if not amounts[doc.name]:
				violations.add("document without its items", (doctype, doc.name), f"{doc.name} has no items")
			elif abs(sum(amounts[doc.name]) - (doc.total or 0)) > 0.01:
				violations.add(
					"document total disagrees with its items",
					(doctype, doc.name),
					f"{doc.name}: total {doc.total}, items add up to {sum(amounts[doc.name])}",
				)


def check_events(violations: Violations, opportunities, leads) -> None:
	events = {
		event.name: event
		for event in frappe.get_all(
			"Event", fields=["name", "owner", "starts_on", "status"], limit_page_length=0
		)
	}
	open_events = collections.defaultdict(list)
	for participant in frappe.get_all(
		"Event Participants",
		filters={"parenttype": "Event", "reference_doctype": ("in", FOLLOW_UP_DOCTYPES)},
		fields=["parent", "reference_doctype", "reference_docname"],
		limit_page_length=0,
	):
		event = events.get(participant.parent)
		if event and event.status == "Open":
			open_events[(participant.reference_doctype, participant.reference_docname)].append(event)
	for doctype, documents in (("Pipeline Opportunity", opportunities), ("Pipeline Lead", leads)):
		for doc in documents:
			key, found = (doctype, doc.name), open_events.get((doctype, doc.name), [])
			has_follow_up = doc.contact_by and doc.contact_date and doc.status not in CLOSED_STATUSES[doctype]
			if not has_follow_up:
				if found:
					violations.add(
						"open Event without an open follow-up",
						key,
						f"{doc.name} ({doc.status}, follow-up {doc.contact_by or '-'}) has open Event {found[0].name}",
					)
			elif not found:
				violations.add(
					"open follow-up without its Event",
					key,
					f"{doc.name}: {doc.contact_by} at {doc.contact_date}, no open Event",
				)
			elif len(found) > 1:
				violations.add(
					"more than one open Event",
					key,
					f"{doc.name}: {len(found)} open Events",
				)
			elif (found[0].owner, found[0].starts_on) != (doc.contact_by, doc.contact_date):
				violations.add(
					"Event not at the follow-up's user and time",
					key,
					f"{doc.name}: follow-up {doc.contact_by} at {doc.contact_date}, "
					f"Event {found[0].owner} at {found[0].starts_on}",
				)


def check_reminders(violations: Violations, log: ChangeLog) -> None:
	"""No reminder twice; none written when the follow-up it names was no longer the document's."""
	notifications = frappe.get_all(
		"Notification Log",
		filters={"document_type": ("in", FOLLOW_UP_DOCTYPES)},
		fields=["name", "for_user", "document_type", "document_name", "subject", "creation"],
		order_by="creation asc",
		limit_page_length=0,
	)
	seen = collections.Counter()
	for notification in notifications:
		key = (notification.document_type, notification.document_name)
		seen[(key, notification.for_user, notification.subject)] += 1
		if seen[(key, notification.for_user, notification.subject)] == 2:
			violations.add(
				"reminder sent twice",
				key,
				f"{notification.document_name}: {notification.for_user}, {strip_tags(notification.subject)}",
			)
		if key in log.uncertain:
			continue
		state = log.in_force(key, notification.creation)
		if state is None:
			continue  # a change of it was being saved at that moment
		follow_up, is_open = state
		time_in_subject = re.search(r"\b(\d{2}:\d{2})\b", strip_tags(notification.subject))
		stale = None
		if not is_open:
			stale = "the document had been closed, lost or converted"
		elif follow_up is None:
			stale = "the follow-up had been cleared"
		elif follow_up[0] != notification.for_user:
			stale = f"the follow-up had moved to {follow_up[0]}"
		elif follow_up[1].date() != notification.creation.date():
			stale = f"the follow-up had moved to {follow_up[1]:%Y-%m-%d}"
		elif time_in_subject and time_in_subject.group(1) != follow_up[1].strftime("%H:%M"):
			stale = f"the follow-up had moved to {follow_up[1]:%H:%M}"
		if stale:
			violations.add(
				"reminder for a follow-up no longer in force",
				key,
				f"{notification.document_name}: reminder to {notification.for_user} at "
				f"{notification.creation:%H:%M:%S.%f} after {stale}",
			)


def strip_tags(text: str) -> str:
	return re.sub(r"<[^>]+>", "", text or "")


# The run ----------------------------------------------------------------------------------------------


def sample_load_average(run: Run, threads: list) -> None:
	while any(thread.is_alive() for thread in threads):
		run.load_averages.append(os.getloadavg()[0])
		time.sleep(5)


def drive(run: Run) -> None:
	args = run.args
	users = [SalesUser(run, user) for user in run.seed.users[: args.users]]
	if not all(user.api.login() for user in users):
		sys.exit("a sales user could not log in; see the errors above")
	stop_job = threading.Event()
	job_thread = FrappeThread(run, lambda: follow_up_job_loop(run, stop_job), "follow-up-job")
	job_thread.start()

	started = time.monotonic()
	deadline = started + args.seconds
	hard_deadline = deadline + 300
	threads = [
		threading.Thread(target=user.work, args=(deadline, hard_deadline), daemon=True) for user in users
	]
	for thread in threads:
		thread.start()
	threading.Thread(target=sample_load_average, args=(run, threads), daemon=True).start()
	race_thread = threading.Thread(target=Races(run).run_all, args=(hard_deadline,), daemon=True)
	time.sleep(min(3, args.seconds / 10))
	race_thread.start()

	if not args.no_kill:
		time.sleep(max(0, started + args.seconds * 0.6 - time.monotonic()))
		pid = run.server.kill_worker()
		run.events.append(f"SIGKILL to gunicorn worker {pid} at {time.monotonic() - started:.0f} s")
		time.sleep(5)
		run.events.append(f"gunicorn workers 5 s later: {len(run.server.workers())} of {args.workers}")
	race_thread.join(max(1, hard_deadline - time.monotonic()))
	if race_thread.is_alive():
		run.events.append("the races did not finish within 300 s after the load; left unfinished")
	run.races_done.set()
	for thread in threads:
		thread.join(max(1, hard_deadline - time.monotonic()) + REQUEST_TIMEOUT)
	run.load_elapsed = time.monotonic() - started
	run.events.append(
		f"the users worked {run.load_elapsed:.0f} s: {args.seconds} s, then on until the races were done"
	)
	run.stop_users.set()
	stop_job.set()
	job_thread.join(REQUEST_TIMEOUT * 2)


def report(run: Run, violations: Violations) -> None:
	args, stats = run.args, run.stats
	print()
	print(
		f"Load test: {args.users} users for {args.seconds} s against gunicorn ({args.workers} workers x "
		f"{args.threads} threads) on {run.base_url}, site {args.site} (time zone {run.seed.time_zone})"
	)
	for event in run.events:
		print(f"  {event}")
	if run.load_averages:
		print(
			f"  machine load average while the users worked: {sum(run.load_averages) / len(run.load_averages):.1f}"
			f" (max {max(run.load_averages):.1f}) on {os.cpu_count()} cores"
		)
	error_total = sum(stats.errors.values())
	print(
		f"requests: {stats.total} in {run.load_elapsed:.0f} s ({stats.total / run.load_elapsed:.1f}/s); "
		f"errors: {error_total}, 5xx: {stats.server_errors()}; "
		f"CPU time of this script (clients and job): {time.process_time():.0f} s"
	)
	print()
	print(f"{'request kind':36} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8}")
	for kind in sorted(stats.latencies):
		values = stats.latencies[kind]
		print(
			f"{kind:36} {len(values):6d} {stats.kind_errors[kind]:6d} "
			f"{percentile(values, 0.5):8.0f} {percentile(values, 0.95):8.0f}"
		)
	if stats.job_runs:
		runs = [seconds * 1000 for seconds in stats.job_runs]
		print(
			f"{'(follow-up job run, not HTTP)':36} {len(runs):6d} {len(stats.job_failures):6d} "
			f"{percentile(runs, 0.5):8.0f} {percentile(runs, 0.95):8.0f}"
		)
	print()
	print("errors by kind (HTTP status, exception):" if stats.errors else "errors by kind: none")
	for (status, exc_type), count in stats.errors.most_common():
		kinds = ", ".join(f"{kind} {n}" for kind, n in stats.error_kinds[(status, exc_type)].most_common(4))
		print(f"  {status or 'no answer'} {exc_type}: {count}  ({kinds})")
		for example in stats.error_examples[(status, exc_type)]:
			print(f"      e.g. {example}")
	for failure in stats.job_failures[:EXAMPLES]:
		print(f"  follow-up job run failed: {failure}")
	error_logs = frappe.get_all("Error Log", fields=["method"], limit_page_length=0)
	if error_logs:
		titles = collections.Counter((log.method or "")[:90] for log in error_logs)
		print(f"Error Log entries: {len(error_logs)}")
		for title, count in titles.most_common(EXAMPLES):
			print(f"  {count} x {title}")

	print()
	names = {
		1: "cancel two quotations at once",
		2: "follow-up job vs follow-up changes",
		3: "declare_enquiry_lost under load",
	}
	bad_docs = violations.docs()
	print("races:")
	for race, name in names.items():
		rounds = run.race_docs.get(race, [])
		wrong = sum(1 for docs in rounds if docs & bad_docs)
		bad = sum(len(docs & bad_docs) for docs in rounds)
		notes = collections.Counter(run.race_notes.get(race, []))
		summary = "; ".join(f"{note} x{count}" for note, count in notes.most_common(4))
		print(
			f"  {race}. {name}: {wrong} of {len(rounds)} rounds ended wrong "
			f"({bad} of {sum(len(docs) for docs in rounds)} documents with a violation)  [{summary}]"
		)
	for note in run.race_notes.get(0, []):
		print(f"  {note}")

	print()
	print(f"violations: {violations.count()}")
	for kind, entries in sorted(violations.found.items(), key=lambda item: -len(item[1])):
		print(f"  {kind}: {len(entries)}")
		for _doc, message in entries[:EXAMPLES]:
			print(f"      {message}")


def main():
	args = parse_args()
	if args.seed is not None:
		random.seed(args.seed)
	print(f"Preparing {args.site}: emptying it, users and seed data")
	seed, log = prepare_site(args)
	stats = Stats()
	server = Server(args)
	run = Run(args, seed, log, stats, server.base_url, Pool(seed))
	run.server = server
	print(f"Starting gunicorn on {server.base_url} ({args.workers} workers x {args.threads} threads)")
	server.start()
	try:
		print(f"{args.users} users for {args.seconds} s, {args.race_rounds} rounds of each race")
		drive(run)
	finally:
		server.stop()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	try:
		violations = check_invariants(run)
		report(run, violations)
	finally:
		frappe.destroy()
	sys.exit(1 if violations.count() or stats.server_errors() else 0)


if __name__ == "__main__":
	main()
