"""Steps that build an opportunity history through the app, under frozen time, for the reports read
from the history: each step is taken at a moment given in the site's time zone (the time zone
history `changed_on` is written in), with microseconds."""

import datetime
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_system_timezone
from freezegun import freeze_time

from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity.pipeline_opportunity import make_quotation
from tests import factories

# The currency of the tests' opportunities: one no other test uses, so that what the site holds in
# the usual currencies does not add to the numbers checked.
CURRENCY = "CHF"


def site_moment(moment: str) -> datetime.datetime:
	"""`moment` ("2027-01-31 23:30:00.250000") as the site's clock shows it."""
	return datetime.datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(get_system_timezone()))


def with_time(moment: str) -> str:
	"""A date alone means 10:00:00.25 that day."""
	return moment + " 10:00:00.250000" if len(moment) == 10 else moment


class Clock:
	def __init__(self, frozen):
		self.frozen = frozen

	def at(self, moment: str) -> None:
		"""Move to `moment` ("2027-01-05", or with a time) in the site's time zone."""
		self.frozen.move_to(site_moment(with_time(moment)))


@contextmanager
def clock(start: str):
	"""Time frozen at `start` in the site's time zone, moved on with `.at(moment)`."""
	with freeze_time(site_moment(with_time(start))) as frozen:
		yield Clock(frozen)


def open_opportunity(party, stage, amount: float, closing: str, **values):
	"""An opportunity of `party` (a Pipeline Customer) without items, in `stage`; the probability is
	the stage's default unless given."""
	return factories.make_opportunity(
		party,
		items=0,
		sales_stage=stage.name,
		opportunity_amount=amount,
		expected_closing=closing,
		currency=CURRENCY,
		**values,
	)


def change(opportunity, **values):
	"""Save the opportunity with new values, as the form does."""
	opportunity.reload()
	opportunity.update(values)
	opportunity.save()


def convert(opportunity):
	"""Quote the opportunity, submit the quotation and set it as ordered: the opportunity becomes
	Converted."""
	quotation = make_quotation(opportunity.name)
	quotation.append("items", factories.item_rows(1)[0])
	quotation.insert().submit()
	quotation.set_as_ordered()
	return quotation


def lose(opportunity, *reasons):
	opportunity.reload()
	opportunity.declare_enquiry_lost([{"lost_reason": reason.name} for reason in reasons])


def close(opportunity):
	opportunity.reload()
	opportunity.close_opportunity()


def reopen(opportunity):
	opportunity.reload()
	opportunity.reopen_opportunity()


def restricted_user(customer) -> str:
	"""A new Sales User whom a User Permission restricts to one Pipeline Customer."""
	user = factories.make_user(roles=("Sales User",)).name
	frappe.get_doc(
		{"doctype": "User Permission", "user": user, "allow": "Pipeline Customer", "for_value": customer.name}
	).insert()
	return user
