from sales_pipeline.sales_pipeline.list_indexes import add_list_indexes


def execute():
	"""Sites installed before the lists' `creation` indexes: add them (on_doctype_update adds them
	only when a DocType is synced)."""
	add_list_indexes()
