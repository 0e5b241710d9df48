"""What users and the scheduler wait for, each against its floor, measured in the same run.

Fills the benchmark site (scripts/pipeline_data.py: OPPORTUNITIES opportunities created over two
years with their history, about a tenth still open, 1,000 follow-ups due today) and measures each
operation as the desk or the scheduler calls it ("app") against its floor, the least the database
has to do for the same answer: raw SQL over the same rows with the same filters (and the same User
Permission condition), or for writes the bare ORM calls. Operations: the Sales Pipeline Forecast
(12 months, each probability basis), `get_win_rates()`, the Pipeline Forecast Accuracy, Funnel and
Lost Reasons reports, the opportunity list's page and count, the workspace's number cards (with
their % stat), `make_quotation` / `make_supplier_quotation` and the insert and unchanged save of an
opportunity with 20 items, the pipeline board, and the day's follow-up job. Each as a Sales User
and as a Sales User whom a User Permission restricts to one customer (the job as the scheduler).
Before timing, each side's answer is checked against the other's.

Statements are the calls of `frappe.db.sql` during the run; see scripts/measuring.py for how the
rounds interleave and what is rolled back. The day's job commits per follow-up, as the scheduler
runs it: what it and its floor made is deleted after each run. Prints a Markdown table; an
operation whose code is not on this checkout says so. Run through scripts/benchmark.sh."""

import argparse
import copy
import inspect
import json
import re
import sys
import time
from pathlib import Path

import floors
import frappe
import measuring
import pipeline_data
from floors import (
	OPEN_STATUSES,
	OPPORTUNITY,
	and_user_permission,
	currency_sql,
	sql_list,
	user_permission_sql,
)
from frappe.utils import (
	add_days,
	add_months,
	add_to_date,
	flt,
	get_datetime,
	get_first_day,
	get_last_day,
	getdate,
	now,
	nowdate,
)

PAGE_LENGTH = 20
ITEMS = 20
USERS = {
	"Sales User": f"rep00@{pipeline_data.BENCH_USER_DOMAIN}",
	"Sales User + User Permission": pipeline_data.RESTRICTED_USER,
}
TABLE = measuring.Table(USERS)
compare = TABLE.compare


# Win rates -------------------------------------------------------------------------------------


def measure_win_rates(rounds: int) -> None:
	from sales_pipeline.sales_pipeline.forecast import get_win_rates

	compare(
		"`get_win_rates()`",
		"Sales User",
		get_win_rates,
		floors.win_rates,
		rounds,
		"one statement: the window's closings not reopened since, with their stages",
		check=lambda app, floor: floors.check_win_rates(app),
	)


# Reports ---------------------------------------------------------------------------------------

FORECAST = "Sales Pipeline Forecast"


def forecast_filters(basis: str | None) -> dict:
	today = getdate()
	filters = {
		"from_date": str(get_first_day(today)),
		"to_date": str(get_last_day(add_months(today, 11))),
		"currency": frappe.db.get_default("currency"),
	}
	if basis:
		filters["probability_basis"] = basis
	return filters


def report_module_source(report: str) -> str | None:
	"""The source of a report of the app, or None when this checkout has no such report."""
	if not frappe.db.exists("Report", report):
		return None
	module = frappe.get_module(
		f"sales_pipeline.sales_pipeline.report.{frappe.scrub(report)}.{frappe.scrub(report)}"
	)
	return inspect.getsource(module)


def run_report(report: str, filters: dict):
	from frappe.desk.query_report import run

	return run(report, filters=filters, ignore_prepared_report=True)


def report_count(result) -> int | None:
	"""Opportunities the report counted: its rows' `opportunities`, else its summary's count."""
	rows = [
		row
		for row in result.get("result") or []
		if isinstance(row, dict) and "opportunities" in row and not is_total_row(row)
	]
	if rows:
		return sum(int(row["opportunities"] or 0) for row in rows)
	for card in result.get("report_summary") or []:
		if "Opportunit" in str(card.get("label")):
			return int(card.get("value") or 0)
	return None


def is_total_row(row: dict) -> bool:
	first = next(iter(row.values()), None)
	return str(first).strip("'").lower() == "total"


def forget_learned_rates() -> None:
	"""Drop the win rates the app keeps in the cache (keys naming win rates), so that the next run
	learns them anew, as the first request after a deal was won or lost does."""
	for key in frappe.cache.get_keys("sales_pipeline"):
		if b"win_rate" in key:
			frappe.cache.delete(key)


def forecast_floor_shape(filters: dict, user: str) -> tuple[bool, str]:
	"""Whether the floor counts Overdue / No Date buckets besides the months of the range (it does
	when the report counts them), and whether it then counts the report's opportunities."""
	measuring.start_request(user)
	counted = report_count(run_report(FORECAST, filters))
	counts = {
		with_buckets: sum(row.opportunities for row in floors.forecast_rows(filters, user, with_buckets))
		for with_buckets in (False, True)
	}
	frappe.db.rollback()
	with_buckets = counted != counts[False]
	expected = counts[with_buckets]
	return (
		with_buckets,
		f"{'same' if counted == expected else 'DIFFERENT'} opportunities: {counted} / {expected}",
	)


def forecast_floor_label(with_buckets: bool, learned: str | None) -> str:
	label = "GROUP BY month" + (" (and Overdue / No Date)" if with_buckets else "") + ", stage"
	return label + {None: "", "anew": " + the win-rate floor", "kept": " x the rates learned before"}[learned]


def measure_forecast(rounds: int) -> None:
	"""Each basis the report has; the Learned one with the win rates the app keeps (cached) and, when
	it keeps them, learned anew (the first request after a deal closed)."""
	source = report_module_source(FORECAST) or ""
	variants = [(None, None)]
	if "probability_basis" in source:
		variants = [("Opportunity", None), ("Learned", "kept")]
		if "cache" in inspect.getsource(frappe.get_module("sales_pipeline.sales_pipeline.forecast")):
			variants.append(("Learned", "anew"))
	for basis, learned in variants:
		filters = forecast_filters(basis)
		rates = floors.win_rates() if learned == "kept" else None
		for user_label, user in USERS.items():
			with_buckets, rows_check = forecast_floor_shape(filters, user)
			name = f"{FORECAST}, 12 months" + (f", {basis} basis" if basis else "")
			if learned:
				name += {"kept": ", win rates as the app keeps them", "anew": ", win rates learned anew"}[
					learned
				]
			compare(
				name,
				user_label,
				lambda filters=filters: run_report(FORECAST, filters),
				lambda filters=filters, user=user, with_buckets=with_buckets, learned=learned, rates=rates: (
					floors.forecast(filters, user, with_buckets, learned == "anew", rates)
				),
				rounds,
				forecast_floor_label(with_buckets, learned),
				check=lambda app, floor, rows_check=rows_check: rows_check,
				before_app=forget_learned_rates if learned == "anew" else None,
			)


ACCURACY = "Pipeline Forecast Accuracy"


def accuracy_filters(months: int = 6) -> dict:
	"""The last `months` complete months."""
	today = getdate()
	return {
		"from_date": str(get_first_day(add_months(today, -months))),
		"to_date": str(get_last_day(add_months(today, -1))),
	}


def accuracy_by_month(result) -> dict[str, dict]:
	"""The report's rows by month (YYYY-MM), without a total row."""
	return {
		str(row.get("month")): row
		for row in result.get("result") or []
		if isinstance(row, dict) and row.get("month") and not is_total_row(row)
	}


def check_accuracy(result, floor_months: list[dict]) -> str:
	"""Whether the report's counts, forecasts and actuals are the floor's, month by month (amounts to
	the cent)."""
	reported = accuracy_by_month(result)
	differing = []
	for month in floor_months:
		row = reported.get(month["month"], {})
		for key in ("opportunities", "won", "opportunity_forecast", "learned_forecast", "actual"):
			if abs(flt(row.get(key)) - month[key]) > 0.01:
				differing.append(f"{month['month']} {key} {flt(row.get(key)):,.2f} / {month[key]:,.2f}")
	if differing:
		return "DIFFERENT: " + "; ".join(differing[:4]) + (" ..." if len(differing) > 4 else "")
	return f"same opportunities, won, forecasts and actuals in all {len(floor_months)} months"


def measure_new_reports(rounds: int) -> None:
	"""The reports other work adds, when they are on this checkout."""
	if report_module_source(ACCURACY) is None:
		TABLE.rows.append(measuring.Row(ACCURACY, "-", note="not on this checkout"))
	else:
		filters = accuracy_filters()
		compare(
			f"{ACCURACY}, last 6 months",
			"Sales User",
			lambda: run_report(ACCURACY, filters),
			lambda: floors.forecast_accuracy(filters["from_date"], filters["to_date"]),
			rounds,
			"three statements: the win rates at every month start, the open states then, the conversions",
			check=check_accuracy,
		)
	measure_funnel(rounds)
	measure_lost_reasons(rounds)


FUNNEL, LOST_REASONS = "Pipeline Funnel", "Pipeline Lost Reasons"


def check_funnel(result, floor) -> str:
	stages, totals = floor
	reported = {row.get("sales_stage"): row for row in result.get("result") or [] if isinstance(row, dict)}
	differing = []
	for stage, expected in stages.items():
		row = reported.get(stage, {})
		keys = ("reached", "won", "lost", "still_open")
		days = flt(expected.open_microseconds) / expected.stayed / 86_400_000_000 if expected.stayed else None
		if tuple(int(row.get(key) or 0) for key in keys) != tuple(
			int(expected[key] or 0) for key in keys
		) or (days is not None and abs(flt(row.get("avg_days_in_stage")) - days) > 0.01):
			differing.append(stage)
	if differing:
		return "DIFFERENT: " + ", ".join(differing)
	return (
		f"same reached / won / lost / open / days of every stage ({int(totals.reached or 0):,} opportunities)"
	)


def measure_funnel(rounds: int) -> None:
	if report_module_source(FUNNEL) is None:
		TABLE.rows.append(measuring.Row(FUNNEL, "-", note="not on this checkout"))
		return
	today = getdate()
	filters = {"from_date": str(add_months(today, -12)), "to_date": str(today)}
	for user_label, user in USERS.items():
		compare(
			f"{FUNNEL}, opportunities created in the last 12 months",
			user_label,
			lambda filters=filters: run_report(FUNNEL, filters),
			lambda filters=filters, user=user: floors.funnel(filters, user),
			rounds,
			"one statement: the cohort's history rows with the next change and the last status (window functions), by stage with rollup",
			check=check_funnel,
		)


def check_lost_reasons(result, floor) -> str:
	by_reason, totals = floor
	expected: dict = {}
	for row in by_reason:
		count, amount = expected.get(row.lost_reason, (0, 0.0))
		expected[row.lost_reason] = (count + int(row.lost_count), amount + flt(row.lost_amount))
	reported = {
		row.get("lost_reason"): (int(row.get("lost_count") or 0), flt(row.get("lost_amount")))
		for row in result.get("result") or []
		if isinstance(row, dict) and not is_total_row(row)
	}
	same = reported.keys() == expected.keys() and all(
		reported[reason][0] == count and abs(reported[reason][1] - amount) < 0.01
		for reason, (count, amount) in expected.items()
	)
	lost = int(totals[0][0] or 0)
	return f"{'same' if same else 'DIFFERENT'} count and amount of every reason ({lost:,} lost)"


def measure_lost_reasons(rounds: int) -> None:
	if report_module_source(LOST_REASONS) is None:
		TABLE.rows.append(measuring.Row(LOST_REASONS, "-", note="not on this checkout"))
		return
	today = getdate()
	filters = {
		"from_date": str(get_first_day(add_months(today, -11))),
		"to_date": str(get_last_day(today)),
		"period": "Monthly",
	}
	for user_label, user in USERS.items():
		compare(
			f"{LOST_REASONS}, 12 months by month",
			user_label,
			lambda filters=filters: run_report(LOST_REASONS, filters),
			lambda filters=filters, user=user: floors.lost_reasons(filters, user),
			rounds,
			"the rows that made opportunities Lost in the range and no later row undid, by month and reason; their totals",
			check=check_lost_reasons,
		)


# The opportunity list --------------------------------------------------------------------------


def list_view_fields(doctype: str) -> list[str]:
	"""The fields the desk's list view asks for (list_view.js set_fields): the standard ones, the
	in-list-view value fields, Currency fields and their currency, status, title and image, the
	list settings' add_fields, the sort field, and the title of Links shown by title."""
	meta = frappe.get_meta(doctype)
	std = ["name", "owner", "creation", "modified", "modified_by", "_user_tags", "_comments"]
	std += ["_assign", "_liked_by", "docstatus", "idx"]
	add_fields = []
	list_js = Path(frappe.get_module_path(meta.module)) / "doctype" / frappe.scrub(doctype)
	list_js = list_js / f"{frappe.scrub(doctype)}_list.js"
	if list_js.exists():
		match = re.search(r"add_fields:\s*\[([^\]]*)\]", list_js.read_text())
		if match:
			add_fields = re.findall(r"[\"']([\w]+)[\"']", match.group(1))
	list_view = [
		df.fieldname
		for df in meta.fields
		if (df.in_list_view and df.fieldtype not in frappe.model.no_value_fields)
		or (df.fieldtype == "Currency" and df.options and ":" not in df.options)
		or df.fieldname == "status"
	]
	wanted = std + list_view + [meta.title_field, meta.image_field] + add_fields
	wanted += [
		"_seen" if meta.track_seen else None,
		meta.sort_field or "creation",
		"enabled",
		"disabled",
		"color",
	]
	fields = []
	for fieldname in wanted:
		if fieldname and (fieldname in std or meta.has_field(fieldname)) and fieldname not in fields:
			fields.append(fieldname)
	for fieldname in list(fields):
		df = meta.get_field(fieldname)
		if df and df.fieldtype == "Currency" and df.options and meta.has_field(df.options):
			if df.options not in fields:
				fields.append(df.options)
	columns = [f"`tab{doctype}`.`{fieldname}`" for fieldname in fields]
	title_doctypes = set(frappe.get_all("DocType", {"show_title_field_in_link": 1}, pluck="name"))
	for fieldname in fields:
		df = meta.get_field(fieldname)
		if df and df.fieldtype == "Link" and df.options in title_doctypes:
			title_field = frappe.get_meta(df.options).title_field
			if title_field:
				columns.append(f"{fieldname}.{title_field} as {fieldname}_{title_field}")
	return columns


def list_args(doctype: str) -> dict:
	meta = frappe.get_meta(doctype)
	return {
		"doctype": doctype,
		"fields": json.dumps(list_view_fields(doctype)),
		"filters": "[]",
		"order_by": f"`tab{doctype}`.`{meta.sort_field or 'creation'}` {(meta.sort_order or 'desc').lower()}",
		"start": 0,
		"page_length": PAGE_LENGTH,
		"view": "List",
		"group_by": None,
		"with_comment_count": 1,
	}


def desk_list_page(args: dict):
	from frappe.desk.reportview import get

	frappe.local.form_dict = frappe._dict(copy.deepcopy(args))
	return get()


def desk_list_count(doctype: str):
	from frappe.desk.reportview import get_count

	frappe.local.form_dict = frappe._dict(
		doctype=doctype, filters="[]", fields="[]", distinct="false", limit=1001
	)
	return get_count()


def indexed(doctype: str, column: str) -> bool:
	return bool(frappe.db.get_column_index(f"tab{doctype}", column, unique=False))


def list_floor_sql(doctype: str, user: str) -> tuple[str, str]:
	"""A raw page: the same columns (the titles of linked records joined), ordered by the list's
	sort field when it has an index, else by `modified` (which always has one)."""
	meta = frappe.get_meta(doctype)
	sort_field = meta.sort_field or "creation"
	order = sort_field if indexed(doctype, sort_field) else "modified"
	selected, joins = [], []
	for column in list_view_fields(doctype):
		if " as " in column:
			link_field, rest = column.split(".", 1)
			title_field, alias = rest.split(" as ")
			target = meta.get_field(link_field).options
			selected.append(f"`{link_field}`.`{title_field}` as `{alias}`")
			joins.append(f"left join `tab{target}` `{link_field}` on `{link_field}`.name = t.`{link_field}`")
		else:
			selected.append("t." + column.split(".", 1)[1])
	sql = f"""select {", ".join(selected)} from `tab{doctype}` t {" ".join(joins)}
		where 1 = 1{and_user_permission(doctype, user, "t")}
		order by t.`{order}` {(meta.sort_order or "desc").lower()} limit {PAGE_LENGTH}"""
	label = f"raw SQL page by `{order}`" + ("" if order == sort_field else f" (`{sort_field}` has no index)")
	return sql, label


def measure_list(rounds: int) -> None:
	args = list_args(OPPORTUNITY)
	meta = frappe.get_meta(OPPORTUNITY)
	for user_label, user in USERS.items():
		sql, label = list_floor_sql(OPPORTUNITY, user)
		compare(
			f"list page: `reportview.get`, {PAGE_LENGTH} rows by `{meta.sort_field}` {meta.sort_order}",
			user_label,
			lambda: desk_list_page(args),
			lambda sql=sql: frappe.db.sql(sql, as_dict=True),
			rounds,
			label,
			check=lambda app, floor: f"{len(app.get('values', []))} / {len(floor)} rows",
		)
		count_sql = f"""select count(*) from (select 1 from `tab{OPPORTUNITY}` t
			where 1 = 1{and_user_permission(OPPORTUNITY, user, "t")} limit 1001) p"""
		compare(
			"list count: `reportview.get_count` (limit 1001)",
			user_label,
			lambda: desk_list_count(OPPORTUNITY),
			lambda count_sql=count_sql: frappe.db.sql(count_sql)[0][0],
			rounds,
			"raw count(*) of the first 1001",
			check=lambda app, floor: f"{'same' if app == floor else 'DIFFERENT'} count {app} / {floor}",
		)


# Number cards ----------------------------------------------------------------------------------


def card_filters(card, user: str) -> list:
	"""The card's filters as the desk sends them (dashboard_utils.get_all_filters): its filters
	and its dynamic filters, evaluated."""
	filters = json.loads(card.filters_json or "[]")
	for entry in json.loads(card.dynamic_filters_json or "[]"):
		expression = entry[3]
		value = {"frappe.session.user": user, "frappe.datetime.nowdate()": nowdate()}.get(expression)
		if value is None:
			raise ValueError(f"dynamic filter {expression} is not evaluated here")
		filters.append([entry[0], entry[1], entry[2], value, *entry[4:]])
	return filters


def desk_document_type_card(card_dict: dict, filters: list, percentage: bool):
	from frappe.desk.doctype.number_card.number_card import get_percentage_difference, get_result

	result = get_result(json.dumps(card_dict), json.dumps(filters))
	if percentage:
		get_percentage_difference(json.dumps(card_dict), json.dumps(filters), result)
	return result


def document_type_card_floor_sql(card, filters: list, user: str, to_date=None) -> str:
	"""The card's count or sum as one raw statement: the SQL Frappe builds for the same filters
	without the permission checks, plus the user's User Permission condition."""
	function = {"Count": "count(*)", "Sum": "sum", "Average": "avg", "Minimum": "min", "Maximum": "max"}
	field = function[card.function]
	if card.function != "Count":
		field = f"{field}(`tab{card.document_type}`.`{card.aggregate_function_based_on}`)"
	filters = list(filters)
	if to_date:
		filters.append([card.document_type, "creation", "<", to_date])
	sql = frappe.get_all(card.document_type, fields=[f"{field} as result"], filters=filters, run=0)
	condition = user_permission_sql(card.document_type, user, f"`tab{card.document_type}`")
	if condition:
		table = f"from `tab{card.document_type}`"
		if re.search(r"\swhere\s", sql):
			sql = re.sub(r"\swhere\s", f" where {condition} and ", sql, count=1)
		else:
			sql = sql.replace(table, f"{table} where {condition}", 1)
	return sql


def previous_stats_date(card) -> str:
	delta = {"Daily": {"days": -1}, "Weekly": {"weeks": -1}, "Monthly": {"months": -1}}
	return add_to_date(now(), **delta.get(card.stats_time_interval, {"years": -1}))


def open_pipeline_amount_floor(user: str):
	currency = frappe.db.get_default("currency")
	return frappe.db.sql(
		f"""select sum(o.opportunity_amount) from `tab{OPPORTUNITY}` o
		where o.status in ({sql_list(OPEN_STATUSES)}) and {currency_sql("o", currency)}
		{and_user_permission(OPPORTUNITY, user, "o")}"""
	)[0][0]


def overdue_follow_ups_floor(user: str):
	from sales_pipeline.sales_pipeline.follow_up import CLOSED_STATUSES as FOLLOW_UP_CLOSED

	total = 0
	for doctype, statuses in FOLLOW_UP_CLOSED.items():
		total += frappe.db.sql(
			f"""select count(*) from `tab{doctype}` d where d.contact_by = %(user)s
			and d.contact_date < %(today)s and d.status not in ({sql_list(statuses)})
			{and_user_permission(doctype, user, "d")}""",
			{"user": user, "today": get_datetime(nowdate())},
		)[0][0]
	return total


CUSTOM_CARD_FLOORS = {
	"sales_pipeline.sales_pipeline.number_cards.get_open_pipeline_amount": (
		open_pipeline_amount_floor,
		"raw sum",
	),
	"sales_pipeline.sales_pipeline.number_cards.get_my_overdue_follow_ups": (
		overdue_follow_ups_floor,
		"raw count per DocType",
	),
}


def card_value(result):
	return flt(result.get("value") if isinstance(result, dict) else result, 2)


def measure_number_cards(rounds: int) -> None:
	workspace = frappe.get_doc("Workspace", "Sales Pipeline")
	for link in workspace.number_cards:
		card = frappe.get_doc("Number Card", link.number_card_name)
		for user_label, user in USERS.items():
			name = f'number card "{card.label}"'
			if card.type == "Document Type":
				filters = card_filters(card, user)
				percentage = bool(card.show_percentage_stats)
				card_dict = json.loads(card.as_json())
				floor_sql = document_type_card_floor_sql(card, filters, user)
				floor_sqls = [floor_sql]
				if percentage:
					name += " + its % stat"
					floor_sqls.append(
						document_type_card_floor_sql(card, filters, user, previous_stats_date(card))
					)
				compare(
					name,
					user_label,
					lambda card_dict=card_dict, filters=filters, percentage=percentage: (
						desk_document_type_card(card_dict, filters, percentage)
					),
					lambda floor_sqls=floor_sqls: [frappe.db.sql(sql)[0][0] for sql in floor_sqls][0],
					rounds,
					"raw " + card.function.lower() + (" and the one a week before" if percentage else ""),
					check=lambda app, floor: (
						f"{'same' if card_value(app) == card_value(floor) else 'DIFFERENT'} value {card_value(app):g} / {card_value(floor):g}"
					),
				)
			elif card.type == "Custom":
				method = frappe.get_attr(card.method)
				floor, label = CUSTOM_CARD_FLOORS.get(card.method, (None, "no floor defined"))
				compare(
					name,
					user_label,
					lambda method=method: method(filters="[]"),
					(lambda floor=floor, user=user: floor(user)) if floor else None,
					rounds,
					label,
					check=lambda app, floor: (
						f"{'same' if card_value(app) == card_value(floor) else 'DIFFERENT'} value {card_value(app):g} / {card_value(floor):g}"
						if floor is not None
						else ""
					),
				)


# Mappers, insert, save -------------------------------------------------------------------------


def ensure_items() -> list[str]:
	codes = [f"BENCH-ITEM-{index:02d}" for index in range(1, ITEMS + 1)]
	for code in codes:
		if not frappe.db.exists("Pipeline Item", code):
			frappe.get_doc(
				{
					"doctype": "Pipeline Item",
					"item_code": code,
					"item_name": f"Bench item {code[-2:]}",
					"uom": "Nos",
					"standard_rate": 100,
				}
			).insert(ignore_permissions=True)
	frappe.db.commit()
	return codes


def new_opportunity(codes: list[str]) -> dict:
	stage = frappe.get_all("Pipeline Sales Stage", order_by="sort_order asc", pluck="name", limit=1)[0]
	return {
		"doctype": OPPORTUNITY,
		"opportunity_from": "Pipeline Customer",
		"party_name": pipeline_data.RESTRICTED_CUSTOMER,
		"sales_stage": stage,
		"expected_closing": add_days(nowdate(), 60),
		"currency": frappe.db.get_default("currency"),
		"items": [
			{"item_code": code, "qty": index + 1, "rate": 100 + index} for index, code in enumerate(codes)
		],
	}


def ensure_opportunity_with_items(codes: list[str]) -> str:
	existing = frappe.db.get_value(
		OPPORTUNITY, {"with_items": 1, "party_name": pipeline_data.RESTRICTED_CUSTOMER}, "name"
	)
	if existing:
		return existing
	doc = frappe.get_doc(new_opportunity(codes)).insert(ignore_permissions=True)
	frappe.db.commit()
	return doc.name


def bare_insert(values: dict):
	"""The floor of an insert: the parent row and each item row, nothing else."""
	doc = frappe.get_doc(copy.deepcopy(values))
	doc.name = "BENCH-FLOOR-" + frappe.generate_hash(length=8)
	doc.db_insert()
	for index, item in enumerate(doc.items, start=1):
		item.parent, item.idx = doc.name, index
		item.name = frappe.generate_hash(length=10)
		item.db_insert()
	return doc


def bare_update(values: dict):
	"""The floor of a save: the parent row and each item row written back, nothing else."""
	doc = frappe.get_doc(copy.deepcopy(values))
	doc.db_update()
	for item in doc.items:
		item.db_update()
	return doc


def measure_documents(rounds: int) -> None:
	from frappe.model.mapper import get_mapped_doc

	from sales_pipeline.sales_pipeline.doctype.pipeline_opportunity import pipeline_opportunity

	codes = ensure_items()
	name = ensure_opportunity_with_items(codes)
	mappers = (
		("make_quotation", "QUOTATION_MAPPING"),
		("make_supplier_quotation", "SUPPLIER_QUOTATION_MAPPING"),
	)
	for user_label in USERS:
		for method, mapping_name in mappers:
			mapping = getattr(pipeline_opportunity, mapping_name, None)
			compare(
				f"`{method}` of an opportunity with {ITEMS} items",
				user_label,
				lambda method=method: getattr(pipeline_opportunity, method)(name),
				(lambda mapping=mapping: get_mapped_doc(OPPORTUNITY, name, mapping)) if mapping else None,
				rounds,
				f"bare `get_mapped_doc` with `{mapping_name}`" if mapping else f"{mapping_name} not found",
				check=lambda app, floor: f"{len(app.items)} / {len(floor.items) if floor else '-'} items",
			)
		values = new_opportunity(codes)
		compare(
			f"insert of an opportunity with {ITEMS} items (`doc.insert()`)",
			user_label,
			lambda values=values: frappe.get_doc(copy.deepcopy(values)).insert(),
			lambda values=values: bare_insert(values),
			rounds,
			f"`db_insert` of the row and its {ITEMS} item rows",
		)
		stored = frappe.get_doc(OPPORTUNITY, name).as_dict(convert_dates_to_str=True)
		compare(
			f"unchanged save of an opportunity with {ITEMS} items (`doc.save()`)",
			user_label,
			lambda stored=stored: frappe.get_doc(copy.deepcopy(stored)).save(),
			lambda stored=stored: bare_update(stored),
			rounds,
			f"`db_update` of the row and its {ITEMS} item rows",
		)


# Pipeline board --------------------------------------------------------------------------------


def board_floor(currency: str, stages: list[str], user: str, card_fields) -> dict:
	"""The board's totals and first pages straight from the database (as the earlier board
	benchmark defined them): one GROUP BY sales_stage, one page query per stage."""
	where = (
		f"o.status in ({sql_list(OPEN_STATUSES)}) and {currency_sql('o', currency)}"
		f"{and_user_permission(OPPORTUNITY, user, 'o')}"
	)
	totals = frappe.db.sql(
		f"""select o.sales_stage, count(o.name), sum(o.opportunity_amount),
			sum(o.opportunity_amount * o.probability / 100)
		from `tab{OPPORTUNITY}` o where {where} group by o.sales_stage"""
	)
	columns = ", ".join(f"o.`{field}`" for field in card_fields)
	cards = {
		stage: frappe.db.sql(
			f"""select {columns} from `tab{OPPORTUNITY}` o where {where} and o.sales_stage = %s
			order by o.expected_closing, o.name limit {PAGE_LENGTH}""",
			stage,
			as_dict=True,
		)
		for stage in stages
	}
	return {"totals": totals, "cards": cards}


def check_board(board, floor) -> str:
	floor_totals = {
		stage or None: (count, round(flt(amount), 2)) for stage, count, amount, _ in floor["totals"]
	}
	board_totals = {
		column["sales_stage"]: (column["count"], round(flt(column["amount"]), 2))
		for column in board["columns"]
		if column["count"]
	}
	same_cards = all(
		[card["name"] for card in column["cards"]]
		== [row.name for row in floor["cards"].get(column["sales_stage"], [])]
		for column in board["columns"]
	)
	same = board_totals == floor_totals and same_cards
	return f"{'same' if same else 'DIFFERENT'} totals and first cards"


def measure_board(rounds: int) -> None:
	from sales_pipeline.sales_pipeline.page.pipeline_board.pipeline_board import CARD_FIELDS, get_board

	currency = frappe.db.get_default("currency")
	stages = frappe.get_all("Pipeline Sales Stage", order_by="sort_order asc, name asc", pluck="name")
	for user_label, user in USERS.items():
		compare(
			"`get_board()`",
			user_label,
			get_board,
			lambda user=user: board_floor(currency, stages, user, CARD_FIELDS),
			rounds,
			"GROUP BY stage + one page query per stage",
			check=check_board,
		)


# The day's follow-up job -----------------------------------------------------------------------


def follow_up_floor(due_rows: list) -> None:
	"""The same Events and Notification Logs the job makes, field for field, inserted one pair per
	transaction through the ORM with nothing else around them."""
	from sales_pipeline.sales_pipeline.follow_up import as_html_text, get_event_values, get_reminder_subject

	for row in due_rows:
		frappe.get_doc(
			{
				"doctype": "Event",
				"event_type": "Private",
				"event_category": "Call",
				"send_reminder": 0,
				**get_event_values(OPPORTUNITY, row),
				"event_participants": [{"reference_doctype": OPPORTUNITY, "reference_docname": row.name}],
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": row.contact_by,
				"type": "Alert",
				"document_type": OPPORTUNITY,
				"document_name": row.name,
				"subject": get_reminder_subject(OPPORTUNITY, row),
				"email_content": as_html_text(row.to_discuss),
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()


def due_and_overdue_queries():
	from sales_pipeline.sales_pipeline.follow_up import FOLLOW_UP_DOCTYPES, get_due_follow_ups
	from sales_pipeline.sales_pipeline.follow_up.reminders import get_overdue_follow_ups

	today = get_datetime(nowdate())
	return [
		(get_due_follow_ups(doctype, today, add_days(today, 1)), get_overdue_follow_ups(doctype, today))
		for doctype in FOLLOW_UP_DOCTYPES
	]


def remove_follow_up_records(due_names: list[str]) -> None:
	frappe.db.rollback()
	for table in ("Notification Log", "Event Participants", "Event"):
		frappe.db.sql(f"TRUNCATE `tab{table}`")  # nosemgrep: fixed table names
	frappe.db.delete("Pipeline Follow Up", {"reference_name": ("in", due_names)})
	frappe.db.commit()


def measure_follow_up_job(rounds: int) -> None:
	from sales_pipeline.sales_pipeline.follow_up import get_due_follow_ups, run_follow_up_reminders

	today = get_datetime(nowdate())
	due_rows = get_due_follow_ups(OPPORTUNITY, today, add_days(today, 1))
	due_names = [row.name for row in due_rows]
	remove_follow_up_records(due_names)

	compare(
		f"the day's job, {len(due_rows):,} due (as the scheduler runs it, a commit per follow-up)",
		"Administrator",
		lambda: run_follow_up_reminders(commit=True),
		lambda: follow_up_floor(due_rows),
		rounds,
		"ORM insert of the same Events + Notification Logs, a commit per pair",
		check=lambda app, floor: (
			f"{app.notified:,} notified, {app.overdue_notified:,} overdue, {app.events_created:,} Events made, "
			f"{app.failed} failed"
		),
		after_each=lambda: remove_follow_up_records(due_names),
		keep=True,
	)

	# The job's next run that day: nothing left to do; its floor reads what is due and overdue.
	frappe.set_user("Administrator")
	run_follow_up_reminders(commit=True)
	compare(
		"the day's job again, nothing left to do",
		"Administrator",
		lambda: run_follow_up_reminders(commit=True),
		due_and_overdue_queries,
		rounds,
		"the job's due and overdue queries",
		check=lambda app, floor: f"{app.notified} notified",
		keep=True,
	)
	remove_follow_up_records(due_names)


# Main ------------------------------------------------------------------------------------------

SECTIONS = ("forecast", "win-rates", "reports", "list", "cards", "documents", "board", "follow-ups")


def prepare(args) -> dict:
	"""Fill the site unless `--keep` finds it filled at this size; returns what it holds."""
	users = pipeline_data.ensure_users()
	stages = pipeline_data.get_stages()
	filled = pipeline_data.generated_opportunities()
	if not args.keep or filled != args.opportunities:
		pipeline_data.wipe()
		started = time.perf_counter()
		plan = pipeline_data.Plan(opportunities=args.opportunities, seed=args.seed, due_today=args.due_today)
		filled = pipeline_data.fill(plan, users, stages)
		print(
			f"filled {filled['opportunities']:,} opportunities and {filled['history_rows']:,} history rows "
			f"in {time.perf_counter() - started:.0f} s",
			flush=True,
		)
	pipeline_data.ensure_restricted_user_permission()
	return {
		"opportunities": frappe.db.count(OPPORTUNITY),
		"history": frappe.db.count("Pipeline Opportunity History"),
		"open": frappe.db.count(OPPORTUNITY, {"status": ("in", OPEN_STATUSES)}),
	}


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--opportunities", type=int, default=100_000)
	parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds of each side (default 10)")
	parser.add_argument(
		"--job-rounds", type=int, default=3, help="rounds of the day's follow-up job (default 3)"
	)
	parser.add_argument("--due-today", type=int, default=1_000)
	parser.add_argument("--seed", type=int, default=2026)
	parser.add_argument("--keep", action="store_true", help="reuse the data of the previous run at this size")
	parser.add_argument("--only", action="append", choices=SECTIONS, help="measure only these (repeatable)")
	args = parser.parse_args()

	measuring.connect(args.site)
	size = prepare(args)
	load_before = measuring.load_average()
	heading = (
		f"{size['opportunities']:,} opportunities ({size['open']:,} open) and {size['history']:,} history "
		f"rows; app at {measuring.app_commit()}; {measuring.machine()}"
	)
	print(f"\n{heading}\n", flush=True)
	print(measuring.Table.HEADER, flush=True)
	measures = {
		"forecast": measure_forecast,
		"win-rates": measure_win_rates,
		"reports": measure_new_reports,
		"list": measure_list,
		"cards": measure_number_cards,
		"documents": measure_documents,
		"board": measure_board,
	}
	for name in args.only or SECTIONS:
		if name == "follow-ups":
			measure_follow_up_job(args.job_rounds)
		else:
			measures[name](args.rounds)

	print(f"\n{heading}.")
	print(
		f"Load average (1, 5, 15 min) {load_before} before, {measuring.load_average()} after; "
		f"{args.rounds} interleaved rounds of each side ({args.job_rounds} for the day's job).\n"
	)
	TABLE.print()
	frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
