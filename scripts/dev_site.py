"""The sites of the development bench: each one's database, and whether it is up to date.

	python scripts/dev_site.py db-name BENCH SITE
	python scripts/dev_site.py create-db BENCH SITE DB_PASSWORD        # needs PyMySQL
	python scripts/dev_site.py state SITE APP_DIR                       # needs PyMySQL
	python scripts/dev_site.py record-migrated SITE FINGERPRINT         # needs Frappe
	python scripts/dev_site.py assets-state APP_DIR                     # exit 0: built, up to date
	python scripts/dev_site.py record-assets FINGERPRINT

All but `db-name` run with the bench's Python, from the bench's `sites` directory; the
account that creates databases comes from DB_HOST, DB_PORT, DB_ROOT_USER and DB_ROOT_PASSWORD.
The naming and ownership rules are plain functions, checked by scripts/check_setup_plan.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys

# Where a site records the code it was last migrated to (Frappe's global defaults).
MIGRATED_KEY = "sales_pipeline_migrated_fingerprint"
# Where the bench records the public/ files its built desk assets come from.
ASSETS_STAMP = os.path.join("assets", ".sales_pipeline_built")
# Files that never change what a migration does.
SKIPPED_DIRS = {"__pycache__", "node_modules", "dist", ".git"}
SKIPPED_SUFFIXES = (".pyc", ".swp", ".DS_Store")


def database_name(bench_dir: str, site: str) -> str:
	"""The rule `bench new-site` itself follows when given no name: "_" and 16 hex digits of
	the SHA-1 of the site directory's real path. So two benches, or two sites, never share a
	database, and a site keeps the name whichever path leads to its bench."""
	site_path = os.path.realpath(os.path.join(bench_dir, "sites", site))
	return "_" + hashlib.sha1(site_path.encode()).hexdigest()[:16]


def owner_mark(bench_dir: str, site: str) -> str:
	"""The comment a database gets when these scripts make it for `site` of the bench."""
	return f"sales_pipeline development site {site} of {os.path.realpath(bench_dir)}"


def refusal(db_name: str, site: str, exists: bool, comment: str | None, mark: str) -> str | None:
	"""Why the database may not be used for a new site, or None when it may: it does not exist
	yet, or an earlier run made it for this very site and did not get to write site_config.json."""
	if not exists or comment == mark:
		return None
	owner = f'it says: "{comment}"' if comment else "it carries no mark of these scripts"
	return (
		f"The database {db_name} already exists, and it is not one this bench made for {site}"
		f" ({owner}). It belongs to another site or bench, so nothing was changed. If you are sure"
		f" nothing uses it, drop it (DROP DATABASE `{db_name}`), or give this bench another"
		" directory (SALES_PIPELINE_BENCH)."
	)


def app_fingerprint(app_dir: str, frappe_version: str = "", subdir: str = "sales_pipeline") -> str:
	"""A hash of everything a migration of the app reads: its package's files (built assets
	aside) and the Frappe it runs on. With `subdir`, of the files under that directory only."""
	digest = hashlib.sha1(frappe_version.encode())
	package = os.path.join(app_dir, subdir)
	for root, dirs, files in os.walk(package):
		dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
		for name in sorted(files):
			if name.endswith(SKIPPED_SUFFIXES):
				continue
			path = os.path.join(root, name)
			digest.update(os.path.relpath(path, package).encode() + b"\0")
			with open(path, "rb") as file:
				digest.update(hashlib.sha1(file.read()).digest())
	return digest.hexdigest()


def root_connection():
	import pymysql

	return pymysql.connect(
		host=os.environ.get("DB_HOST") or "127.0.0.1",
		port=int(os.environ.get("DB_PORT") or 3306),
		user=os.environ.get("DB_ROOT_USER") or "root",
		password=os.environ.get("DB_ROOT_PASSWORD") or "",
	)


def create_database(bench_dir: str, site: str, db_password: str) -> str:
	"""Make the site's database (marked as the site's) and its user; refuse one that exists and
	is not marked so. Prints nothing; returns the name."""
	db_name = database_name(bench_dir, site)
	mark = owner_mark(bench_dir, site)
	conn = root_connection()
	try:
		with conn.cursor() as cur:
			cur.execute(
				"SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (db_name,)
			)
			row = cur.fetchone()
			reason = refusal(db_name, site, row is not None, row[0] if row else None, mark)
			if reason:
				raise SystemExit(f"error: {reason}")
			if row is None:
				cur.execute(
					f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT %s",
					(mark,),
				)
			for host in ("localhost", "127.0.0.1", "::1"):
				cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (db_name, host, db_password))
				cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (db_name, host, db_password))
				cur.execute(f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO %s@%s", (db_name, host))
			cur.execute("FLUSH PRIVILEGES")
	finally:
		conn.close()
	return db_name


def site_config(site: str) -> dict:
	"""The site's configuration as Frappe reads it: common_site_config.json, then site_config.json."""
	config = {}
	for path in ("common_site_config.json", os.path.join(site, "site_config.json")):
		if os.path.exists(path):
			with open(path) as file:
				config.update(json.load(file))
	return config


def frappe_version() -> str:
	"""Frappe's version and commit, read from the bench's apps/frappe without importing it."""
	frappe_dir = os.path.join("..", "apps", "frappe")
	with open(os.path.join(frappe_dir, "frappe", "__init__.py")) as file:
		version = re.search(r'__version__ = "([^"]+)"', file.read())
	head = subprocess.run(["git", "-C", frappe_dir, "rev-parse", "HEAD"], capture_output=True, text=True)
	return f"{version.group(1) if version else ''} {head.stdout.strip()}"


def site_state(site: str, app_dir: str) -> str:
	"""One line of words: setup_complete, installed, up_to_date, scheduler_enabled and
	developer_mode when they hold, and fingerprint=<the checkout's fingerprint>.

	Read straight from the site's database, which takes a tenth of the time that starting
	Frappe does; the tables read (Singles, DefaultValue) are Frappe's oldest. Any error
	leaves the caller to do the full set-up."""
	import pymysql

	config = site_config(site)
	conn = pymysql.connect(
		host=config.get("db_host") or "127.0.0.1",
		port=int(config.get("db_port") or 3306),
		user=config.get("db_user") or config["db_name"],
		password=config["db_password"],
		database=config["db_name"],
	)
	try:
		with conn.cursor() as cur:

			def value(query: str, *args) -> str | None:
				cur.execute(query, args)
				row = cur.fetchone()
				return row[0] if row else None

			def system_setting(field: str) -> bool:
				return value(
					"SELECT value FROM tabSingles WHERE doctype = 'System Settings' AND field = %s", field
				) in ("1", 1)

			def global_default(key: str) -> str | None:
				return value(
					"SELECT defvalue FROM tabDefaultValue WHERE parent = '__global' AND defkey = %s", key
				)

			fingerprint = app_fingerprint(app_dir, frappe_version())
			words = {
				"setup_complete": system_setting("setup_complete"),
				# What frappe.get_installed_apps() reads.
				"installed": "sales_pipeline" in json.loads(global_default("installed_apps") or "[]"),
				"up_to_date": global_default(MIGRATED_KEY) == fingerprint,
				"scheduler_enabled": system_setting("enable_scheduler")
				and not config.get("disable_scheduler"),
				"developer_mode": bool(config.get("developer_mode")),
			}
	finally:
		conn.close()
	return " ".join([word for word, holds in words.items() if holds] + [f"fingerprint={fingerprint}"])


def record_migrated(site: str, fingerprint: str) -> None:
	"""Remember, in the site, the fingerprint of the code it was just migrated to."""
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		frappe.db.set_global(MIGRATED_KEY, fingerprint)
		frappe.db.commit()  # nosemgrep
	finally:
		frappe.destroy()


def assets_state(app_dir: str) -> tuple[bool, str]:
	"""Whether the bench (run from its sites directory) has the app's desk bundles built from
	the public/ files of `app_dir`, and their fingerprint. Built means: the fingerprint is the
	one recorded at the last build, and every bundle of public/ has a built file in assets.json
	that exists (it lives in the checkout's public/dist, which a new checkout lacks)."""
	fingerprint = app_fingerprint(app_dir, subdir=os.path.join("sales_pipeline", "public"))
	try:
		with open(ASSETS_STAMP) as file:
			recorded = file.read().strip()
		with open(os.path.join("assets", "assets.json")) as file:
			built = json.load(file)
	except (OSError, ValueError):
		return False, fingerprint
	public = os.path.join(app_dir, "sales_pipeline", "public")
	for _root, dirs, files in os.walk(public):
		dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
		for name in files:
			if ".bundle." not in name:
				continue
			stem = name.split(".bundle.")[0] + ".bundle."
			paths = [path for key, path in built.items() if key.startswith(stem)]
			if not any(os.path.exists(path.lstrip("/")) for path in paths):
				return False, fingerprint
	return recorded == fingerprint, fingerprint


def main(argv: list[str]) -> None:
	usage = __doc__.split("\n\n")[1]
	if not argv:
		raise SystemExit(usage)
	action, args = argv[0], argv[1:]
	if action == "db-name" and len(args) == 2:
		print(database_name(*args))
	elif action == "create-db" and len(args) == 3:
		print(create_database(*args))
	elif action == "state" and len(args) == 2:
		print(site_state(*args))
	elif action == "record-migrated" and len(args) == 2:
		record_migrated(*args)
	elif action == "assets-state" and len(args) == 1:
		built, fingerprint = assets_state(*args)
		print(fingerprint)
		raise SystemExit(0 if built else 3)
	elif action == "record-assets" and len(args) == 1:
		with open(ASSETS_STAMP, "w") as file:
			file.write(args[0] + "\n")
	else:
		raise SystemExit(usage)


if __name__ == "__main__":
	main(sys.argv[1:])
