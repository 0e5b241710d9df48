# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

from frappe.model.document import Document

from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.validation import validate_number_bounds


class PipelineItem(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		disabled: DF.Check
		item_code: DF.Data
		item_name: DF.Data | None
		standard_rate: DF.Currency
		uom: DF.Data | None

	# end: auto-generated types
	def validate(self):
		self.item_code = (self.item_code or "").strip()
		self.item_name = self.item_name or self.item_code
		validate_number_bounds(self)


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Item")
