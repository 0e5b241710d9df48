# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

from frappe.model.document import Document

from sales_pipeline.sales_pipeline.indexes import add_indexes
from sales_pipeline.sales_pipeline.validation import validate_email_field, validate_not_taken


class PipelineSupplier(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		disabled: DF.Check
		email_id: DF.Data | None
		mobile_no: DF.Data | None
		supplier_name: DF.Data

	# end: auto-generated types
	def validate(self):
		self.supplier_name = (self.supplier_name or "").strip()
		validate_not_taken(self, "supplier_name")
		validate_email_field(self, "email_id")


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Supplier")
