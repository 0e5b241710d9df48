"""Connects the tests to a real Frappe site and rolls back after each test.

Run with the bench's Python from the bench's `sites` directory (scripts/run-tests.sh does):
the site is SALES_PIPELINE_TEST_SITE, default `test.sales-pipeline.localhost`.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import frappe
import pytest

from tests import factories

TEST_SITE = os.environ.get("SALES_PIPELINE_TEST_SITE", "test.sales-pipeline.localhost")
APP_DIR = Path(__file__).resolve().parent.parent


def get_sites_path() -> str:
	if os.environ.get("FRAPPE_SITES_PATH"):
		return os.path.abspath(os.environ["FRAPPE_SITES_PATH"])
	# frappe is imported from <bench>/apps/frappe/frappe
	return str(Path(frappe.__file__).resolve().parents[3] / "sites")


def connect():
	sites_path = get_sites_path()
	# Frappe resolves logs, files and assets relative to the sites directory.
	os.chdir(sites_path)
	frappe.init(site=TEST_SITE, sites_path=sites_path)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")


@pytest.fixture(scope="session", autouse=True)
def site():
	connect()
	# The users the tests act as are kept between runs: they are part of the test site.
	factories.ensure_test_users()
	frappe.db.commit()  # nosemgrep
	yield TEST_SITE
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(autouse=True)
def rollback(site):
	"""Each test starts as Administrator and everything it wrote is rolled back."""
	frappe.set_user("Administrator")
	frappe.clear_messages()
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.clear_messages()
	# Cached single values (Pipeline Settings) may hold what the test wrote and rolled back.
	frappe.db.value_cache.clear()
	frappe.clear_document_cache("Pipeline Settings", "Pipeline Settings")


@pytest.fixture
def as_user():
	"""Switch the session user for the rest of the test: `as_user(factories.SALES_USER)`."""

	def switch(user: str):
		frappe.set_user(user)
		return user

	return switch


def _free_port() -> int:
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(site):
	"""The test site served on 127.0.0.1 by scripts/serve.py, for HTTP and browser tests."""
	port = _free_port()
	log_path = Path(get_sites_path()).parent / "logs" / "sales-pipeline-test-server.log"
	with open(log_path, "ab") as log:
		process = subprocess.Popen(
			[sys.executable, str(APP_DIR / "scripts" / "serve.py"), "--site", TEST_SITE, "--port", str(port)],
			cwd=get_sites_path(),
			stdout=log,
			stderr=subprocess.STDOUT,
		)
	url = f"http://127.0.0.1:{port}"
	deadline = time.monotonic() + 60
	while True:
		try:
			urllib.request.urlopen(f"{url}/api/method/ping", timeout=5).read()
			break
		except OSError:
			if process.poll() is not None or time.monotonic() > deadline:
				process.kill()
				pytest.fail(f"the test server did not start; see {log_path}")
			time.sleep(0.2)
	yield url
	process.terminate()
	try:
		process.wait(timeout=10)
	except subprocess.TimeoutExpired:
		process.kill()
