"""Serve one site of the bench with Frappe's WSGI app on 127.0.0.1 only.

Run from the bench's `sites` directory with the bench's Python:
    ../env/bin/python serve.py --site SITE --port 8000
"""

import argparse
import logging

import frappe.app
from werkzeug.serving import run_simple


def main():
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--port", type=int, default=8000)
	parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
	args = parser.parse_args()

	# Answer every request for this site whatever Host header it carries, as `bench serve --site` does.
	frappe.app._site = args.site
	frappe.app._sites_path = "."
	application = frappe.app.application_with_statics()
	logging.getLogger("werkzeug").setLevel(logging.WARNING)
	run_simple(args.host, args.port, application, use_reloader=False, use_debugger=False, threaded=True)


if __name__ == "__main__":
	main()
