# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

from frappe.model.document import Document

from sales_pipeline.sales_pipeline.indexes import add_indexes


class PipelineLostReason(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		lost_reason: DF.Data
	# end: auto-generated types
	pass


def on_doctype_update():
	# The list opens sorted by creation (indexes.py).
	add_indexes("Pipeline Lost Reason")
