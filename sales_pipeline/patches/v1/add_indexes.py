from sales_pipeline.sales_pipeline.indexes import add_indexes


def execute():
	"""Sites installed before the lists' and cards' indexes: add them (on_doctype_update adds them
	only when a DocType is synced)."""
	add_indexes()
