"""How scripts/benchmark.py and scripts/forecast_accuracy.py measure: an operation ("app") against
its floor in interleaved rounds (app, floor, app, floor, ...) in one process on one connection, so
that a machine that slows down slows both; time is wall-clock, statements are the calls of
`frappe.db.sql` (wrapped: every query of the ORM, the query builder and `frappe.db.*` goes through
it). Before each run the request-level caches are emptied as a new request finds them (Frappe's
metadata and permission caches in Redis stay warm, as on a server); after it, the transaction is
rolled back unless the operation commits by design."""

import os
import platform
import statistics
import subprocess
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import frappe

# An operation whose warm-up (app and floor) took longer than this gets at most SLOW_ROUNDS rounds.
SLOW_SECONDS, SLOW_ROUNDS = 20.0, 5


class StatementCounter:
	def __init__(self):
		self.count = 0

	def install(self) -> None:
		original = frappe.db.sql

		def counting_sql(*args, **kwargs):
			self.count += 1
			return original(*args, **kwargs)

		frappe.db.sql = counting_sql


COUNTER = StatementCounter()


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=str(Path.cwd()))
	frappe.connect()
	frappe.set_user("Administrator")
	COUNTER.install()


def start_request(user: str) -> None:
	"""The request-level state Frappe builds anew for each request (frappe.init, set_user)."""
	frappe.local.cache = {}
	frappe.local.request_cache = defaultdict(dict)
	frappe.local.role_permissions = {}
	frappe.local.valid_columns = {}
	frappe.local.new_doc_templates = {}
	frappe.local.message_log = []
	frappe.local.form_dict = frappe._dict()
	frappe.local.response = frappe._dict({"docs": []})
	frappe.db.value_cache = {}
	frappe.set_user(user)


def run_once(function: Callable, user: str, keep: bool = False) -> tuple[float, int, object]:
	"""(seconds, statements, result) of one run, rolled back unless `keep` (it commits itself)."""
	start_request(user)
	COUNTER.count = 0
	started = time.perf_counter()
	result = function()
	seconds = time.perf_counter() - started
	statements = COUNTER.count
	if not keep:
		frappe.db.rollback()
	return seconds, statements, result


@dataclass
class Row:
	operation: str
	user: str
	app: list = field(default_factory=list)  # [(seconds, statements)] of the measured rounds
	floor: list = field(default_factory=list)
	floor_label: str = ""
	note: str = ""


class Table:
	"""The measured operations, printed as one Markdown table."""

	HEADER = (
		"| operation | as | app median (ms) | app min (ms) | floor median (ms) | floor min (ms) "
		"| app / floor | statements app / floor | floor; check |\n"
		"| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	)

	def __init__(self, users: dict[str, str]):
		self.users = users
		self.rows: list[Row] = []

	def compare(
		self,
		operation: str,
		user_label: str,
		app: Callable,
		floor: Callable | None,
		rounds: int,
		floor_label: str = "",
		check: Callable | None = None,
		after_each: Callable | None = None,
		before_app: Callable | None = None,
		keep: bool = False,
	) -> Row:
		"""Warm both sides once (and `check` that they agree), then `rounds` interleaved runs of
		each; `before_app` and `after_each` run outside the timing. A failure is reported in the row
		and does not stop the others."""
		row = Row(operation, user_label, floor_label=floor_label)
		self.rows.append(row)
		user = self.users.get(user_label, user_label)
		sides = [("app", app), ("floor", floor)] if floor else [("app", app)]
		try:
			warm, warm_seconds = {}, 0.0
			for name, function in sides:
				if name == "app" and before_app:
					before_app()
				seconds, _statements, warm[name] = run_once(function, user, keep)
				warm_seconds += seconds
				if after_each:
					after_each()
			if check:
				row.note = check(warm.get("app"), warm.get("floor")) or ""
			if warm_seconds > SLOW_SECONDS and rounds > SLOW_ROUNDS:
				rounds = SLOW_ROUNDS
				row.note += f"; {rounds} rounds (slow)"
			for _ in range(rounds):
				for name, function in sides:
					if name == "app" and before_app:
						before_app()
					seconds, statements, _result = run_once(function, user, keep)
					getattr(row, name).append((seconds, statements))
					if after_each:
						after_each()
		except Exception as exc:
			frappe.db.rollback()
			row.note = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
			traceback.print_exc()
		print(self.format(row), flush=True)
		return row

	@staticmethod
	def format(row: Row) -> str:
		app, floor = summarise(row.app), summarise(row.floor)
		cells = [row.operation, row.user]
		cells += [format_ms(app[0]), format_ms(app[1])] if app else ["-", "-"]
		cells += [format_ms(floor[0]), format_ms(floor[1])] if floor else ["-", "-"]
		cells.append(f"{app[0] / floor[0]:.2f}" if app and floor and floor[0] else "-")
		cells.append(f"{app[2] if app else '-'} / {floor[2] if floor else '-'}")
		cells.append("; ".join(part for part in (row.floor_label, row.note) if part))
		return "| " + " | ".join(cells) + " |"

	def print(self) -> None:
		print(self.HEADER)
		for row in self.rows:
			print(self.format(row))


def summarise(runs: list) -> tuple[float, float, int] | None:
	"""(median seconds, min seconds, median statements)."""
	if not runs:
		return None
	seconds = [run[0] for run in runs]
	return statistics.median(seconds), min(seconds), int(statistics.median(run[1] for run in runs))


def format_ms(seconds: float) -> str:
	return f"{seconds * 1000:,.1f}" if seconds < 10 else f"{seconds * 1000:,.0f}"


def machine() -> str:
	cpu = platform.processor() or "unknown CPU"
	try:
		with open("/proc/cpuinfo") as cpuinfo:
			cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
	except (OSError, StopIteration):
		pass
	mariadb = frappe.db.sql("select version()")[0][0]
	return (
		f"{cpu}, {os.cpu_count()} cores, MariaDB {mariadb}, Frappe {frappe.__version__}, "
		f"Python {platform.python_version()}"
	)


def app_commit() -> str:
	"""The app's last commit, and whether its files differ from it (work not committed yet)."""
	checkout = str(Path(__file__).resolve().parent.parent)

	def git(*args) -> str:
		return subprocess.run(
			["git", "-C", checkout, *args], capture_output=True, text=True, check=True
		).stdout

	try:
		commit = git("log", "-1", "--format=%h (%cs)").strip()
		changed = git("status", "--porcelain", "--", "sales_pipeline").strip()
	except (OSError, subprocess.CalledProcessError):
		return "unknown"
	return commit + (" with changes not committed in sales_pipeline/" if changed else "")


def load_average() -> str:
	return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
