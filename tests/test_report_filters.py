"""Report filters are arguments a client sends: one of the wrong type, an unknown stage or a date
that is not a date is refused with a ValidationError naming it, through the report's `execute` and
through the desk's `frappe.desk.query_report.run`, and a refused run leaves the report as it was
(not switched to "prepared report" for everyone)."""

import datetime

import frappe
import pytest
from frappe.desk.query_report import run

from sales_pipeline.sales_pipeline.report.pipeline_follow_ups import pipeline_follow_ups
from sales_pipeline.sales_pipeline.report.pipeline_forecast_accuracy import pipeline_forecast_accuracy
from sales_pipeline.sales_pipeline.report.pipeline_funnel import pipeline_funnel
from sales_pipeline.sales_pipeline.report.pipeline_lost_reasons import pipeline_lost_reasons
from sales_pipeline.sales_pipeline.report.sales_pipeline_forecast import sales_pipeline_forecast
from sales_pipeline.sales_pipeline.report_filters import pending_prepared_report_timers
from tests import factories

FORECAST = "Sales Pipeline Forecast"
FOLLOW_UPS = "Pipeline Follow-ups"
ACCURACY = "Pipeline Forecast Accuracy"
FUNNEL = "Pipeline Funnel"
LOST_REASONS = "Pipeline Lost Reasons"
EXECUTE = {
	FORECAST: sales_pipeline_forecast.execute,
	FOLLOW_UPS: pipeline_follow_ups.execute,
	ACCURACY: pipeline_forecast_accuracy.execute,
	FUNNEL: pipeline_funnel.execute,
	LOST_REASONS: pipeline_lost_reasons.execute,
}
# Valid filters each case of a report starts from, so that only the bad one is refused.
BASE_FILTERS = {
	ACCURACY: {"from_date": "2027-01-01", "to_date": "2027-03-31", "currency": "USD"},
	LOST_REASONS: {
		"from_date": "2027-01-01",
		"to_date": "2027-03-31",
		"period": "Monthly",
		"currency": "USD",
	},
}

# (report, filters, the filter the message must name)
BAD_FILTERS = [
	(FOLLOW_UPS, {"user": ["is", "set"]}, "user"),
	(FOLLOW_UPS, {"user": {"name": "Administrator"}}, "user"),
	(FOLLOW_UPS, {"user": 42}, "user"),
	(FOLLOW_UPS, {"show_overdue": "yes"}, "show_overdue"),
	(FOLLOW_UPS, {"show_overdue": [1]}, "show_overdue"),
	(FORECAST, {"currency": ["USD", "EUR"]}, "currency"),
	(FORECAST, {"currency": "NO SUCH CURRENCY"}, "currency"),
	(FORECAST, {"sales_stage": ["like", "%"]}, "sales_stage"),
	(FORECAST, {"sales_stage": "No such stage 8f3a"}, "sales_stage"),
	(FORECAST, {"opportunity_owner": ["is", "set"]}, "opportunity_owner"),
	(FORECAST, {"from_date": "not a date"}, "from_date"),
	(FORECAST, {"from_date": "1"}, "from_date"),
	(FORECAST, {"to_date": ["2027-01-01", "2027-12-31"]}, "to_date"),
	(FORECAST, {"to_date": "2027-02-30"}, "to_date"),
	(FORECAST, {"to_date": "<img src=x onerror=alert(1)>"}, "to_date"),
	(ACCURACY, {"from_date": "not a date"}, "from_date"),
	(ACCURACY, {"to_date": ["2027-01-01"]}, "to_date"),
	(ACCURACY, {"to_date": "2027-02-30"}, "to_date"),
	(ACCURACY, {"currency": "NO SUCH CURRENCY"}, "currency"),
	(ACCURACY, {"currency": ["USD", "EUR"]}, "currency"),
	(ACCURACY, {"from_date": "2027-03-01", "to_date": "2027-02-28"}, "To Date cannot be before From Date"),
	(ACCURACY, {"from_date": "2000-01-01", "to_date": "2027-02-28"}, "to_date"),
	(FUNNEL, {"from_date": "yesterday"}, "from_date"),
	(FUNNEL, {"to_date": {"a": 1}}, "to_date"),
	(FUNNEL, {"opportunity_owner": ["is", "set"]}, "opportunity_owner"),
	(FUNNEL, {"from_date": "2027-03-01", "to_date": "2027-02-28"}, "To Date cannot be before From Date"),
	(LOST_REASONS, {"period": "Weekly"}, "period"),
	(LOST_REASONS, {"period": ["Monthly"]}, "period"),
	(LOST_REASONS, {"from_date": "01/01/2027"}, "from_date"),
	(LOST_REASONS, {"to_date": 20270101}, "to_date"),
	(LOST_REASONS, {"currency": "NO SUCH CURRENCY"}, "currency"),
	(
		LOST_REASONS,
		{"from_date": "2027-03-01", "to_date": "2027-02-28"},
		"To Date cannot be before From Date",
	),
	(LOST_REASONS, {"from_date": "1900-01-01", "to_date": "2027-02-28"}, "to_date"),
]


def with_base(report_name: str, filters: dict) -> dict:
	return {**BASE_FILTERS.get(report_name, {}), **filters}


@pytest.fixture
def no_switch_left_behind():
	"""Whatever a test did, no timer of a report it ran is left to switch the report of the shared
	test site (a failing test would otherwise flip it for the tests after it)."""
	yield
	for report_name in EXECUTE:
		for timer in pending_prepared_report_timers(report_name):
			timer.cancel()


@pytest.mark.parametrize(("report_name", "filters", "fieldname"), BAD_FILTERS)
def test_execute_refuses_a_bad_filter_naming_it(report_name, filters, fieldname):
	with pytest.raises(frappe.ValidationError) as refused:
		EXECUTE[report_name](frappe._dict(with_base(report_name, filters)))
	assert fieldname in str(refused.value)


@pytest.mark.parametrize(("report_name", "filters", "fieldname"), BAD_FILTERS)
def test_the_desk_run_refuses_a_bad_filter_and_keeps_the_report_interactive(
	report_name, filters, fieldname, as_user, no_switch_left_behind
):
	"""Through the desk's endpoint, as a sales user: refused, naming the filter, and no timer is left
	to switch the report to "prepared report"."""
	as_user(factories.SALES_USER)
	with pytest.raises(frappe.ValidationError) as refused:
		run(report_name, filters=frappe.as_json(with_base(report_name, filters)))
	assert fieldname in str(refused.value)
	assert not pending_prepared_report_timers(report_name)
	assert not frappe.db.get_value("Report", report_name, "prepared_report")


def test_a_refused_value_is_shown_as_text():
	"""A filter can come from a link (/app/query-report/...?currency=...): the message that names
	the refused value must not carry markup into the message box."""
	with pytest.raises(frappe.ValidationError) as refused:
		sales_pipeline_forecast.execute(frappe._dict(currency="<img src=x onerror=alert(1)>"))
	assert "<img" not in str(refused.value)
	assert "&lt;img" in str(refused.value)


def test_a_report_that_raises_for_another_reason_keeps_the_report_interactive(no_switch_left_behind):
	"""Not only bad filters: whatever makes the report raise, no timer is left running."""
	with pytest.raises(frappe.ValidationError, match="To Date cannot be before"):
		run(FORECAST, filters={"from_date": "2027-05-01", "to_date": "2027-04-01", "currency": "USD"})
	assert not pending_prepared_report_timers(FORECAST)


def test_good_filters_of_each_type_are_taken():
	"""Dates as the desk sends them (text) or as Python sends them, empty values, 0/1 as text."""
	stage = factories.make_sales_stage()
	columns, data, *_ = sales_pipeline_forecast.execute(
		frappe._dict(
			from_date=datetime.date(2027, 1, 1),
			to_date="2027-12-31",
			currency="USD",
			sales_stage=stage.name,
			opportunity_owner="",
		)
	)
	assert columns and data == []
	for filters in ({"user": factories.SALES_USER, "show_overdue": "0"}, {"user": "", "show_overdue": True}):
		assert isinstance(run(FOLLOW_UPS, filters=filters)["result"], list)
