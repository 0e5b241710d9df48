# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

from frappe.model.document import Document


class PipelineSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		close_opportunity_after_days: DF.Int
		default_quotation_terms: DF.TextEditor | None
		default_quotation_validity: DF.Int
		default_sales_stage: DF.Link | None
		follow_up_event_duration: DF.Int
		send_follow_up_email: DF.Check
		stale_deal_days: DF.Int
		win_rate_months: DF.Int
		win_rate_prior_weight: DF.Float
	# end: auto-generated types
	pass
