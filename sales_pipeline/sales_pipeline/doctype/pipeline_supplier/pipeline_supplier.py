# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.validation import validate_email_field


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
		self.validate_supplier_name_not_taken()
		validate_email_field(self, "email_id")

	def validate_supplier_name_not_taken(self):
		filters = {"supplier_name": self.supplier_name}
		if not self.is_new():
			filters["name"] = ("!=", self.name)
		other_supplier = frappe.db.get_value("Pipeline Supplier", filters, "name")
		if other_supplier:
			frappe.throw(
				_("{0}: {1} is already used by supplier {2}").format(
					_(self.meta.get_label("supplier_name")),
					frappe.bold(self.supplier_name),
					frappe.get_desk_link("Pipeline Supplier", other_supplier),
				),
				frappe.ValidationError,
				title=_("Duplicate Supplier"),
			)
