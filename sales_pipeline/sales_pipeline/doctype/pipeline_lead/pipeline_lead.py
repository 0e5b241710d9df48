# Copyright (c) 2026, sales_pipeline developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from sales_pipeline.sales_pipeline.validation import validate_email_field


class PipelineLead(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		company_name: DF.Data | None
		contact_by: DF.Link | None
		contact_date: DF.Datetime | None
		customer: DF.Link | None
		email_id: DF.Data | None
		lead_name: DF.Data
		lead_owner: DF.Link | None
		mobile_no: DF.Data | None
		naming_series: DF.Literal["LEAD-.YYYY.-"]
		notes: DF.TextEditor | None
		source: DF.Literal[
			"",
			"Advertisement",
			"Campaign",
			"Cold Calling",
			"Exhibition",
			"Existing Customer",
			"Mass Mailing",
			"Reference",
			"Walk In",
			"Website",
			"Other",
		]
		status: DF.Literal[
			"Lead",
			"Open",
			"Replied",
			"Opportunity",
			"Quotation",
			"Lost Quotation",
			"Interested",
			"Converted",
			"Do Not Contact",
		]
		title: DF.Data | None
		to_discuss: DF.SmallText | None

	# end: auto-generated types
	def validate(self):
		validate_email_field(self, "email_id")
		self.validate_email_not_taken()
		self.set_title()

	def validate_email_not_taken(self):
		if not self.email_id:
			return
		other_lead = frappe.db.get_value(
			"Pipeline Lead", {"email_id": self.email_id, "name": ("!=", self.name)}, "name"
		)
		if other_lead:
			frappe.throw(
				_("{0}: {1} is already used by lead {2}").format(
					_(self.meta.get_label("email_id")),
					frappe.bold(self.email_id),
					frappe.get_desk_link("Pipeline Lead", other_lead),
				),
				frappe.ValidationError,
				title=_("Duplicate Lead"),
			)

	def set_title(self):
		self.title = self.company_name or self.lead_name
