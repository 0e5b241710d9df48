# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

from frappe.model.document import Document

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
