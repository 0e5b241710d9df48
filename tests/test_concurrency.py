"""No lost updates when requests and jobs race: each race runs on two real database connections
(threads, each with its own `frappe.connect()`), released together by a barrier, on committed
data that the test removes afterwards."""

import threading

import frappe
import pytest
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity import pipeline_opportunity
from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from sales_pipeline.sales_pipeline.follow_up import reminders, run_follow_up_reminders
from tests import factories
from tests.conftest import TEST_SITE, get_sites_path

# 09:00:00.25 in New York on Monday 30 November 2026 (the test site's time zone).
NOW_UTC = "2026-11-30 14:00:00.250000"
TODAY_AT_3PM = "2026-11-30 15:00:00"
ROUNDS = 3


def run_concurrently(*tasks, timeout: float = 120) -> list[Exception]:
	"""Run each `(user, task)` in its own thread on its own connection, all released at once by a
	barrier, each committing what it did. Returns the exceptions raised."""
	barrier = threading.Barrier(len(tasks))
	errors = []

	def run(user, task):
		try:
			frappe.init(site=TEST_SITE, sites_path=get_sites_path())
			frappe.connect()
			frappe.set_user(user)
			task(barrier)
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
		except Exception as exc:
			errors.append(exc)
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=run, args=task) for task in tasks]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=timeout)
	assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
	frappe.db.rollback()  # read what the threads committed
	return errors


@pytest.fixture
def committed():
	"""Collects the documents a test commits and deletes them (and what hangs off them) after."""
	docs = []
	yield docs
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for doc in reversed(docs):
		if doc.doctype == "Pipeline Opportunity":
			for quotation in frappe.get_all(
				"Pipeline Quotation", filters={"opportunity": doc.name}, pluck="name"
			):
				# A submitted (ordered) quotation is deleted as a cancelled one would be.
				frappe.db.set_value("Pipeline Quotation", quotation, "docstatus", 2, update_modified=False)
				frappe.delete_doc("Pipeline Quotation", quotation, force=True)
			items = [row.item_code for row in doc.items]
			frappe.delete_doc(doc.doctype, doc.name, force=True)
			for item in items:
				frappe.delete_doc("Pipeline Item", item, force=True)
		elif frappe.db.exists(doc.doctype, doc.name):
			frappe.delete_doc(doc.doctype, doc.name, force=True)
	frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit


def submitted_quotation(opportunity):
	quotation = make_quotation(opportunity.name).insert()
	quotation.submit()
	return quotation


class TestQuotationsCancelledTogether:
	def test_the_opportunity_and_lead_return_to_open(self, committed):
		"""Each cancel recomputes the opportunity under its lock, seeing the other's committed cancel."""
		for _ in range(ROUNDS):
			lead = factories.make_lead()
			opportunity = factories.make_opportunity(lead, items=1)
			committed.extend([lead, opportunity])
			quotations = [submitted_quotation(opportunity) for _ in range(2)]
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit

			def cancel(name):
				def task(barrier):
					quotation = frappe.get_doc("Pipeline Quotation", name)
					barrier.wait(timeout=30)
					quotation.cancel()

				return task

			errors = run_concurrently(
				*((factories.SALES_MANAGER, cancel(quotation.name)) for quotation in quotations)
			)
			assert not errors, errors
			assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Open"
			assert frappe.db.get_value("Pipeline Lead", lead.name, "status") == "Opportunity"

	def test_an_order_and_a_cancel_together_leave_the_deal_converted(self, committed):
		for _ in range(ROUNDS):
			lead = factories.make_lead()
			opportunity = factories.make_opportunity(lead, items=1)
			committed.extend([lead, opportunity])
			ordered, cancelled = (submitted_quotation(opportunity) for _ in range(2))
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit

			def order(barrier):
				quotation = frappe.get_doc("Pipeline Quotation", ordered.name)
				barrier.wait(timeout=30)
				quotation.set_as_ordered()

			def cancel(barrier):
				quotation = frappe.get_doc("Pipeline Quotation", cancelled.name)
				barrier.wait(timeout=30)
				quotation.cancel()

			errors = run_concurrently((factories.SALES_MANAGER, order), (factories.SALES_MANAGER, cancel))
			assert not errors, errors
			assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Converted"
			assert frappe.db.get_value("Pipeline Lead", lead.name, "status") == "Converted"


class TestFollowUpJobAgainstSaves:
	"""The job lists the due follow-ups, then a user changes one and commits, then the job acts: it
	must act on what the user committed, not on the list it read before."""

	@pytest.fixture(autouse=True)
	def frozen_time(self):
		with freeze_time(NOW_UTC, tz_offset=0):
			yield

	def race(self, monkeypatch, doc_name: str, change: dict):
		listed, changed = threading.Barrier(2), threading.Event()
		list_due = reminders.get_due_follow_ups

		def list_then_wait_for_the_user(*args, **kwargs):
			due = list_due(*args, **kwargs)
			if any(row.name == doc_name for row in due):
				listed.wait(timeout=30)
				changed.wait(timeout=30)
			return due

		monkeypatch.setattr(reminders, "get_due_follow_ups", list_then_wait_for_the_user)

		def job(barrier):
			barrier.wait(timeout=30)
			run_follow_up_reminders(commit=True)

		def user_edit(barrier):
			barrier.wait(timeout=30)
			listed.wait(timeout=30)
			doc = frappe.get_doc("Pipeline Opportunity", doc_name)
			doc.update(change)
			doc.save()
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
			changed.set()

		return run_concurrently(("Administrator", job), (factories.SALES_USER, user_edit))

	def due_opportunity(self, committed):
		opportunity = factories.make_opportunity(
			items=1, contact_by=factories.SALES_USER_2, contact_date=TODAY_AT_3PM, to_discuss="the old plan"
		)
		committed.append(opportunity)
		committed.append(frappe.get_doc("Pipeline Lead", opportunity.party_name))
		frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
		return opportunity

	def notifications(self, name):
		return frappe.get_all(
			"Notification Log",
			filters={"document_type": "Pipeline Opportunity", "document_name": name},
			pluck="for_user",
		)

	def open_events(self, name):
		return frappe.get_all(
			"Event",
			filters=[
				["Event Participants", "reference_doctype", "=", "Pipeline Opportunity"],
				["Event Participants", "reference_docname", "=", name],
				["status", "=", "Open"],
			],
			fields=["name", "owner", "starts_on"],
			distinct=True,
		)

	def test_a_cleared_follow_up_is_not_reminded(self, committed, monkeypatch):
		for _ in range(ROUNDS):
			opportunity = self.due_opportunity(committed)
			errors = self.race(monkeypatch, opportunity.name, {"contact_by": None, "contact_date": None})
			assert not errors, errors
			assert self.notifications(opportunity.name) == []
			assert self.open_events(opportunity.name) == []

	def test_a_follow_up_moved_to_a_colleague_reminds_the_colleague(self, committed, monkeypatch):
		for _ in range(ROUNDS):
			opportunity = self.due_opportunity(committed)
			change = {"contact_by": factories.SALES_USER, "contact_date": "2026-11-30 16:00:00"}
			errors = self.race(monkeypatch, opportunity.name, change)
			assert not errors, errors
			assert self.notifications(opportunity.name) == [factories.SALES_USER]
			[event] = self.open_events(opportunity.name)
			assert event.owner == factories.SALES_USER
			assert str(event.starts_on) == "2026-11-30 16:00:00"

	def test_a_follow_up_moved_to_tomorrow_is_not_reminded_today(self, committed, monkeypatch):
		opportunity = self.due_opportunity(committed)
		errors = self.race(monkeypatch, opportunity.name, {"contact_date": "2026-12-01 10:00:00"})
		assert not errors, errors
		assert self.notifications(opportunity.name) == []
		[event] = self.open_events(opportunity.name)
		assert str(event.starts_on) == "2026-12-01 10:00:00"


class TestDeadlockVictims:
	def test_a_status_method_picked_as_deadlock_victim_is_retried(self, monkeypatch):
		"""The database rolls the victim's transaction back; the method runs again from the stored
		document instead of answering with an error."""
		opportunity = factories.make_opportunity()
		reason = factories.make_lost_reason().name
		parse = pipeline_opportunity.parse_lost_reasons
		calls = []

		def deadlock_once(lost_reasons_list):
			calls.append(1)
			if len(calls) == 1:
				raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")
			return parse(lost_reasons_list)

		monkeypatch.setattr(pipeline_opportunity, "parse_lost_reasons", deadlock_once)
		monkeypatch.setattr(frappe.db, "rollback", lambda *args, **kwargs: None)  # keep the test's data
		opportunity.declare_enquiry_lost([{"lost_reason": reason}])
		assert len(calls) == 2
		assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Lost"

	def test_lost_declared_on_many_opportunities_at_once_all_succeed(self, committed):
		"""Saving lost-reason rows of several opportunities at once: every request succeeds."""
		reason = factories.make_lost_reason()
		committed.append(reason)
		opportunities = []
		for _ in range(4):
			opportunity = factories.make_opportunity(items=1)
			committed.extend([frappe.get_doc("Pipeline Lead", opportunity.party_name), opportunity])
			opportunities.append(opportunity)
		frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit

		def declare_lost(name):
			def task(barrier):
				doc = frappe.get_doc("Pipeline Opportunity", name)
				barrier.wait(timeout=30)
				doc.declare_enquiry_lost([{"lost_reason": reason.name}], "lost together")

			return task

		errors = run_concurrently(
			*((factories.SALES_USER, declare_lost(opportunity.name)) for opportunity in opportunities)
		)
		assert not errors, errors
		for opportunity in opportunities:
			assert frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status") == "Lost"


class TestEventsAfterWaitingForALock:
	def test_a_follow_up_cleared_just_after_a_reopen_leaves_no_open_event(self, committed):
		"""The clearing request read something before the reopen committed (its snapshot is older
		than the Event the reopen made); it must still find and delete that Event."""
		for _ in range(ROUNDS):
			opportunity = factories.make_opportunity(
				items=1,
				contact_by=factories.SALES_USER_2,
				contact_date=frappe.utils.add_days(frappe.utils.now_datetime(), 1).replace(microsecond=0),
			)
			committed.extend([frappe.get_doc("Pipeline Lead", opportunity.party_name), opportunity])
			opportunity.declare_enquiry_lost([{"lost_reason": factories.make_lost_reason().name}])
			frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
			reopened = threading.Event()

			def clear(barrier):
				frappe.db.get_value("Pipeline Opportunity", opportunity.name, "status")  # snapshot taken
				barrier.wait(timeout=30)
				reopened.wait(timeout=30)
				# What the REST API's PUT does.
				doc = frappe.get_doc("Pipeline Opportunity", opportunity.name, for_update=True)
				doc.update({"contact_by": None, "contact_date": None})
				doc.save()

			def reopen(barrier):
				doc = frappe.get_doc("Pipeline Opportunity", opportunity.name)
				barrier.wait(timeout=30)
				doc.reopen_opportunity()
				frappe.db.commit()  # nosemgrep: frappe-semgrep-rules.rules.frappe-manual-commit
				reopened.set()

			errors = run_concurrently((factories.SALES_USER, clear), (factories.SALES_USER, reopen))
			assert not errors, errors
			open_events = frappe.get_all(
				"Event",
				filters=[
					["Event Participants", "reference_docname", "=", opportunity.name],
					["status", "=", "Open"],
				],
				pluck="name",
			)
			assert open_events == []
