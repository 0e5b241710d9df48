# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html, flt

from sales_pipeline.sales_pipeline.forecast import get_current_win_rates, get_win_rate_settings
from sales_pipeline.sales_pipeline.validation import validate_number_bounds, validate_percentage


class PipelineSalesStage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		probability: DF.Percent
		sort_order: DF.Int
		stage_name: DF.Data

	# end: auto-generated types
	def validate(self):
		validate_percentage(self, "probability")
		# A negative sort order puts a stage before the seeded ones.
		validate_number_bounds(self, allow_negative=("sort_order",))


@frappe.whitelist(methods=["GET"])
def get_learned_win_rate(sales_stage: str) -> dict:
	"""The win rate learned for `sales_stage` (forecast.get_win_rates as of now), shown on its form:
	`{"sales_stage", "won", "lost", "rate" (% or None without closed deals), "probability" (the
	learned probability the forecast uses), "default_probability", "months" (the window)}`.

	Needs read permission on the stage and on Pipeline Opportunity: the counts are of
	opportunities. Like a stage's default probability, they are those of the whole pipeline."""
	frappe.has_permission("Pipeline Sales Stage", "read", throw=True)
	frappe.has_permission("Pipeline Opportunity", "read", throw=True)
	if not isinstance(sales_stage, str) or not sales_stage:
		frappe.throw(_("sales_stage: the name of a sales stage is expected"), frappe.ValidationError)
	if not frappe.db.exists("Pipeline Sales Stage", sales_stage):
		frappe.throw(
			_("Sales Stage {0} does not exist").format(frappe.bold(escape_html(sales_stage))),
			frappe.ValidationError,
		)
	frappe.has_permission("Pipeline Sales Stage", "read", sales_stage, throw=True)
	months, _prior_weight = get_win_rate_settings()
	rate = get_current_win_rates()[sales_stage]
	return {
		"sales_stage": sales_stage,
		"won": rate["won"],
		"lost": rate["lost"],
		"rate": rate["rate"],
		"probability": rate["probability"],
		"default_probability": flt(frappe.db.get_value("Pipeline Sales Stage", sales_stage, "probability")),
		"months": months,
	}
