#!/usr/bin/env bash
# What an administrator does on a new site, checked end to end on the development bench:
# install-app, migrate twice (no error, no seed row twice), uninstall-app, site still works.
# The throwaway site is dropped afterwards.
#
#   scripts/check-install-cycle.sh
source "$(dirname "$0")/lib.sh"

SITE=install-cycle.sales-pipeline.localhost
check_services
ensure_bench
link_app

drop_site() {
	site_exists "$SITE" || return 0
	local db_name
	db_name=$("$BENCH_DIR/env/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["db_name"])' \
		"$BENCH_DIR/sites/$SITE/site_config.json")
	rm -rf "${BENCH_DIR:?}/sites/$SITE"
	"$BENCH_DIR/env/bin/python" - "$DB_HOST" "$DB_PORT" "$DB_ROOT_USER" "$DB_ROOT_PASSWORD" "$db_name" <<'PY'
import sys
import pymysql
host, port, user, password, db_name = sys.argv[1:]
conn = pymysql.connect(host=host, port=int(port), user=user, password=password)
with conn.cursor() as cur:
    cur.execute(f"DROP DATABASE IF EXISTS `{db_name}`")
    for user_host in ("localhost", "127.0.0.1", "::1"):
        cur.execute("DROP USER IF EXISTS %s@%s", (db_name, user_host))
conn.close()
PY
}
trap drop_site EXIT
drop_site

count_seeds() {
	bench_cmd --site "$SITE" execute sales_pipeline.install.count_seed_rows
}

say "New site, install-app"
ensure_site "$SITE"
after_install=$(count_seeds)
say "Seed rows after install: $after_install"
bench_cmd --site "$SITE" migrate >/dev/null
bench_cmd --site "$SITE" migrate >/dev/null
after_migrate=$(count_seeds)
say "Seed rows after two migrations: $after_migrate"
[ "$after_install" = "$after_migrate" ] || die "migrate changed the seed rows: $after_install -> $after_migrate"

site_python() {
	(cd "$BENCH_DIR/sites" && "$BENCH_DIR/env/bin/python" - "$SITE" "$@")
}

say "A lead with a follow-up, so that the uninstall has Events and notifications to clean up"
site_python <<'PY'
import sys
import frappe
from frappe.utils import add_to_date, now_datetime
frappe.init(site=sys.argv[1], sites_path=".")
frappe.connect()
frappe.set_user("Administrator")
lead = frappe.get_doc({"doctype": "Pipeline Lead", "lead_name": "Uninstall Check", "contact_by": "Administrator",
    "contact_date": add_to_date(now_datetime(), hours=1)}).insert()
from sales_pipeline.sales_pipeline.follow_up import run_follow_up_reminders
run_follow_up_reminders(commit=True)
frappe.db.commit()
assert frappe.db.count("Event Participants", {"reference_doctype": "Pipeline Lead"}) == 1
# What the uninstall must remove besides the DocTypes: the app's scheduled jobs and its settings.
jobs = frappe.get_all("Scheduled Job Type", filters={"method": ("like", "sales_pipeline.%")}, pluck="method")
assert jobs, "the app has no Scheduled Job Type to remove"
assert frappe.db.count("Singles", {"doctype": "Pipeline Settings"}), "no Pipeline Settings values"
frappe.destroy()
PY

say "uninstall-app"
bench_cmd --site "$SITE" uninstall-app sales_pipeline --yes --no-backup
bench_cmd --site "$SITE" list-apps | grep -q sales_pipeline && die "sales_pipeline is still installed"
left=$(bench_cmd --site "$SITE" execute frappe.client.get_count --args '["DocType", {"module": "Sales Pipeline"}]')
# bench execute prints nothing for a falsy result, so an empty answer means 0.
[ "${left:-0}" = 0 ] || die "$left DocTypes of the app are left after uninstall"
# Nothing left points at the dropped DocTypes, and the site still reads and writes documents.
site_python <<'PY'
import sys
import frappe
frappe.init(site=sys.argv[1], sites_path=".")
frappe.connect()
left = {
    "Event Participants": frappe.db.count("Event Participants", {"reference_doctype": ("like", "Pipeline %")}),
    "Notification Log": frappe.db.count("Notification Log", {"document_type": ("like", "Pipeline %")}),
    "Event": frappe.db.count("Event", {"subject": ("like", "Follow up:%")}),
    # Left enabled, each run would fail with AppNotInstalledError until the next migrate.
    "Scheduled Job Type": frappe.db.count("Scheduled Job Type", {"method": ("like", "sales_pipeline.%")}),
    "Pipeline Settings values": frappe.db.count("Singles", {"doctype": "Pipeline Settings"}),
}
assert not any(left.values()), left
frappe.set_user("Administrator")
frappe.get_doc({"doctype": "ToDo", "description": "still working"}).insert()
frappe.db.rollback()
frappe.destroy()
PY
bench_cmd --site "$SITE" migrate >/dev/null
say "install -> migrate x2 -> uninstall: OK"
