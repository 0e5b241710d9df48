from sales_pipeline.sales_pipeline.history import add_missing_history


def execute():
	"""Opportunities made before the app kept history get a first row, from their current values
	at their creation time."""
	add_missing_history()
