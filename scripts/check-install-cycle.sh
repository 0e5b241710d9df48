#!/usr/bin/env bash
# What an administrator does on a new site, checked end to end on the development bench:
# install-app, migrate twice (no error, no seed row twice), uninstall-app, site still works.
# The throwaway site is dropped afterwards.
#
#   scripts/check-install-cycle.sh
source "$(dirname "$0")/lib.sh"

SITE=install-cycle.sales-pipeline.localhost
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

say "uninstall-app"
bench_cmd --site "$SITE" uninstall-app sales_pipeline --yes --no-backup
bench_cmd --site "$SITE" list-apps | grep -q sales_pipeline && die "sales_pipeline is still installed"
left=$(bench_cmd --site "$SITE" execute frappe.client.get_count --args '["DocType", {"module": "Sales Pipeline"}]')
# bench execute prints nothing for a falsy result, so an empty answer means 0.
[ "${left:-0}" = 0 ] || die "$left DocTypes of the app are left after uninstall"
# The site still answers: a desk request and a document list.
bench_cmd --site "$SITE" execute frappe.get_all --args '["User"]' >/dev/null
bench_cmd --site "$SITE" migrate >/dev/null
say "install -> migrate x2 -> uninstall: OK"
