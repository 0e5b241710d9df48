"""Indexes that serve the desk's lists and the workspace's number cards.

The desk opens a list sorted by its DocType's sort field, `creation` (newest first) for these, and
asks for one page: `ORDER BY creation DESC LIMIT 20`. Frappe indexes `modified` but not
`creation` when it creates a table, so without this index every page of a list (and every count
of "New Leads This Month") sorts or reads the whole table. With it, a page reads its 20 rows, and a
filtered page about 20 / (share of rows that match).

The "Open Pipeline Amount" card adds up the amounts of the open opportunities in one currency: an
index on (status, currency, opportunity_amount) holds all it reads, so it reads the open
opportunities' index entries instead of every row of the table.

Each DocType adds its own from `on_doctype_update` (a new site, a changed DocType); the patch
`add_indexes` adds them on a site installed before."""

import frappe

# The index Frappe itself names `creation` when it adds one on an existing table (a DocType sorted
# by creation): the same name, so that neither adds it twice.
CREATION_INDEX = "creation"

LIST_DOCTYPES = (
	"Pipeline Lead",
	"Pipeline Customer",
	"Pipeline Supplier",
	"Pipeline Item",
	"Pipeline Opportunity",
	"Pipeline Quotation",
	"Pipeline Supplier Quotation",
	"Pipeline Follow Up",
	"Pipeline Lost Reason",
)

CARD_INDEXES = {
	"Pipeline Opportunity": [("status", "currency", "opportunity_amount")],
}


def add_indexes(doctype: str | None = None) -> None:
	"""The indexes of `doctype` (or of every DocType above) that the table does not have yet."""
	for name in [doctype] if doctype else LIST_DOCTYPES:
		if not frappe.db.get_column_index(f"tab{name}", "creation", unique=False):
			frappe.db.add_index(name, ["creation"], index_name=CREATION_INDEX)
		for fields in CARD_INDEXES.get(name, []):
			frappe.db.add_index(name, list(fields))
