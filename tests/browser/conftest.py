"""Headless Chromium on the served test site, with a screenshot in tests/artifacts/ when a test fails.

SALES_PIPELINE_STEP_SCREENSHOTS=1 also saves one screenshot per step of a test there.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
]
# This app's scripts as the browser names them: the desk bundle, and the form and list scripts
# Frappe evaluates with a sourceURL of their DocType (pipeline_lead__js, pipeline_lead__list_js).
APP_SCRIPT = re.compile(r"/assets/sales_pipeline/|\bpipeline_\w+__\w*js\b")
# Waits for what the user sees: a loaded CI machine may take a while to open a form.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	"""Keep each phase's report on the test, so a fixture can tell in teardown that the test failed."""
	outcome = yield
	report = outcome.get_result()
	setattr(item, f"report_{report.when}", report)


@dataclass
class BrowserErrors:
	"""What the page reported while the test drove it."""

	page_errors: list[str] = field(default_factory=list)
	console_errors: list[str] = field(default_factory=list)

	def from_app(self) -> list[str]:
		"""Uncaught exceptions raised in this app's JavaScript."""
		return [error for error in self.page_errors if APP_SCRIPT.search(error)]

	def __str__(self) -> str:
		lines = [f"page error: {error}" for error in self.page_errors]
		lines += [f"console error: {error}" for error in self.console_errors]
		return "\n".join(lines) or "no errors in the browser"


@pytest.fixture(scope="session")
def browser() -> Browser:
	with sync_playwright() as playwright:
		browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
		yield browser
		browser.close()


@pytest.fixture
def browser_errors() -> BrowserErrors:
	return BrowserErrors()


@pytest.fixture
def page(browser, live_server, browser_errors, request) -> Page:
	"""A fresh browser context on the served site; on failure its screenshot goes to tests/artifacts/."""
	context = browser.new_context(base_url=live_server, viewport={"width": 1440, "height": 900})
	context.set_default_timeout(TIMEOUT_MS)
	page = context.new_page()

	def on_page_error(error):
		browser_errors.page_errors.append(f"{error}\n{error.stack or ''}")

	def on_console(message):
		if message.type == "error":
			browser_errors.console_errors.append(f"{message.text} ({message.location.get('url')})")

	page.on("pageerror", on_page_error)
	page.on("console", on_console)
	yield page
	try:
		reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
		if any(report and report.failed for report in reports):
			ARTIFACTS.mkdir(exist_ok=True)
			path = ARTIFACTS / f"{request.node.name}.png"
			print(f"\nscreenshot of the failed test: {path}\n{browser_errors}")
			page.screenshot(path=path, full_page=True)
	finally:
		context.close()


@pytest.fixture
def step_screenshot(page, request):
	"""`step_screenshot("name")` saves the page as tests/artifacts/<test>-<n>-<name>.png when
	SALES_PIPELINE_STEP_SCREENSHOTS is set; it does nothing otherwise."""
	steps = []

	def take(name: str) -> None:
		if not os.environ.get("SALES_PIPELINE_STEP_SCREENSHOTS"):
			return
		steps.append(name)
		ARTIFACTS.mkdir(exist_ok=True)
		page.screenshot(path=ARTIFACTS / f"{request.node.name}-{len(steps):02d}-{name}.png", full_page=True)

	return take
