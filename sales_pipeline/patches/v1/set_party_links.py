"""Fill the hidden `lead` / `customer` Link fields of existing opportunities, quotations and
supplier quotations, so that User Permissions on leads and customers reach them."""

import frappe
from frappe.query_builder import DocType

PARTY_LINKS = (("Pipeline Lead", "lead"), ("Pipeline Customer", "customer"))


def execute():
	for doctype, party_type_field in (
		("Pipeline Opportunity", "opportunity_from"),
		("Pipeline Quotation", "quotation_to"),
	):
		Table = DocType(doctype)
		for party_type, link_field in PARTY_LINKS:
			(
				frappe.qb.update(Table)
				.set(Table[link_field], Table.party_name)
				.where(Table[party_type_field] == party_type)
				.where(Table[link_field].isnull())
				.run()
			)

	# A supplier quotation takes the party of its opportunity (a static statement: the query
	# builder cannot express an UPDATE ... JOIN).
	frappe.db.sql(
		"""
		UPDATE `tabPipeline Supplier Quotation` supplier_quotation
		JOIN `tabPipeline Opportunity` opportunity ON opportunity.name = supplier_quotation.opportunity
		SET supplier_quotation.lead = opportunity.lead, supplier_quotation.customer = opportunity.customer
		"""
	)
