# Shared steps of the development scripts. Sourced, not run.
# Every step is idempotent: running a script twice reuses what the first run built.

set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${SALES_PIPELINE_BENCH:-$HOME/sales-pipeline-bench}
FRAPPE_REPO=${FRAPPE_REPO:-https://github.com/frappe/frappe}
FRAPPE_BRANCH=${FRAPPE_BRANCH:-version-15}
FRAPPE_PATH=${FRAPPE_PATH:-}
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
DB_ROOT_USER=${DB_ROOT_USER:-root}
DB_ROOT_PASSWORD=${DB_ROOT_PASSWORD:-}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin}
BENCH_TOOLS=${BENCH_TOOLS:-${XDG_DATA_HOME:-$HOME/.local/share}/sales-pipeline/bench-cli}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() {
	printf '\033[1;31merror:\033[0m %s\n' "$*" >&2
	exit 1
}

pick_python() {
	# Frappe v15 supports CPython 3.10 to 3.12; take the newest one found.
	local candidate
	for candidate in ${PYTHON:-} python3.12 python3.11 python3.10 python3; do
		[ -n "$candidate" ] || continue
		if command -v "$candidate" >/dev/null 2>&1 &&
			"$candidate" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' 2>/dev/null; then
			"$candidate" -c 'import sys; print(sys.executable)'
			return 0
		fi
	done
	die "Frappe v15 needs Python 3.10, 3.11 or 3.12; set PYTHON=/path/to/python3.11"
}

port_open() {
	# port_open HOST PORT: true when something accepts TCP connections there.
	python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

check_services() {
	local redis_host redis_port
	redis_host=$(python3 -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1]).hostname)' "$REDIS_URL")
	redis_port=$(python3 -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$REDIS_URL")
	port_open "$DB_HOST" "$DB_PORT" || die "MariaDB is not answering on $DB_HOST:$DB_PORT.
  Start it, for example on Debian/Ubuntu:  sudo systemctl start mariadb
  (without systemd: sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd)
  or point DB_HOST / DB_PORT at a running server."
	port_open "$redis_host" "$redis_port" || die "Redis is not answering on $redis_host:$redis_port.
  Start it, for example:  redis-server --daemonize yes --bind 127.0.0.1 --port $redis_port
  or point REDIS_URL at a running server."
	command -v node >/dev/null 2>&1 || die "Node.js 18 or newer is needed to build the desk assets."
	command -v yarn >/dev/null 2>&1 || die "yarn is needed to build the desk assets: npm install -g yarn"
}

ensure_bench_cli() {
	if [ -x "$BENCH_TOOLS/bin/bench" ]; then
		export PATH="$BENCH_TOOLS/bin:$PATH"
		return
	fi
	say "Installing the bench command line into $BENCH_TOOLS"
	"$(pick_python)" -m venv "$BENCH_TOOLS"
	"$BENCH_TOOLS/bin/python" -m pip install --quiet --upgrade pip
	# bench 5.x manages v15 benches; it drives uv for the bench's virtualenv.
	"$BENCH_TOOLS/bin/python" -m pip install --quiet "frappe-bench>=5.22,<6" uv
	export PATH="$BENCH_TOOLS/bin:$PATH"
}

# bench refuses to run as root unless the bench names a frappe_user. `bench init`
# reads that from the directory it is started in, so start it from a throwaway one.
bench_init() {
	local launch_dir args
	launch_dir=$(mktemp -d)
	mkdir -p "$launch_dir/sites"
	printf '{"frappe_user": "%s"}\n' "$(id -un)" >"$launch_dir/sites/common_site_config.json"
	args=(init "$BENCH_DIR" --frappe-branch "$FRAPPE_BRANCH" --python "$(pick_python)"
		--no-backups --no-procfile --skip-redis-config-generation)
	if [ -n "$FRAPPE_PATH" ]; then
		args+=(--frappe-path "$FRAPPE_PATH")
	else
		args+=(--frappe-path "$FRAPPE_REPO")
	fi
	(cd "$launch_dir" && bench "${args[@]}")
	rm -rf "$launch_dir"
}

ensure_bench() {
	ensure_bench_cli
	if [ -d "$BENCH_DIR/apps/frappe" ] && [ -x "$BENCH_DIR/env/bin/python" ]; then
		say "Reusing the bench in $BENCH_DIR"
	else
		[ ! -e "$BENCH_DIR" ] || die "$BENCH_DIR exists but is not a complete bench; move it away or set SALES_PIPELINE_BENCH"
		say "Creating a Frappe $FRAPPE_BRANCH bench in $BENCH_DIR from ${FRAPPE_PATH:-$FRAPPE_REPO}"
		bench_init
	fi
	# Frappe v15 still imports pkg_resources, which setuptools 81 removed.
	"$BENCH_DIR/env/bin/python" -c 'import pkg_resources' 2>/dev/null ||
		uv pip install --quiet --python "$BENCH_DIR/env/bin/python" "setuptools<81"
	configure_bench
}

configure_bench() {
	"$BENCH_DIR/env/bin/python" - "$BENCH_DIR/sites/common_site_config.json" "$REDIS_URL" "$(id -un)" <<'PY'
import json, sys
path, redis_url, user = sys.argv[1:]
with open(path) as f:
    config = json.load(f)
config.update(
    redis_cache=redis_url,
    redis_queue=redis_url,
    redis_socketio=redis_url,
    # Without this bench refuses every command when run as root.
    frappe_user=user,
)
with open(path, "w") as f:
    json.dump(config, f, indent=1, sort_keys=True)
PY
}

bench_cmd() { (cd "$BENCH_DIR" && bench "$@"); }

# Put this checkout (not a copy) into the bench: apps/sales_pipeline becomes a
# link to it and the bench's Python imports it in editable mode.
link_app() {
	local target="$BENCH_DIR/apps/sales_pipeline"
	if [ -L "$target" ] || [ ! -e "$target" ]; then
		ln -sfn "$APP_DIR" "$target"
	elif [ "$(cd "$target" && pwd -P)" != "$(cd "$APP_DIR" && pwd -P)" ]; then
		die "$target is a separate copy of the app (from bench get-app?); remove it to develop from $APP_DIR"
	fi
	say "Installing $APP_DIR into the bench"
	uv pip install --quiet --python "$BENCH_DIR/env/bin/python" -e "$target"
	local apps_txt="$BENCH_DIR/sites/apps.txt"
	if ! grep -qx sales_pipeline "$apps_txt"; then
		# bench writes apps.txt without a final newline
		[ -z "$(tail -c1 "$apps_txt")" ] || printf '\n' >>"$apps_txt"
		printf 'sales_pipeline\n' >>"$apps_txt"
	fi
	mkdir -p "$BENCH_DIR/sites/assets"
	ln -sfn "$APP_DIR/sales_pipeline/public" "$BENCH_DIR/sites/assets/sales_pipeline"
}

site_exists() { [ -f "$BENCH_DIR/sites/$1/site_config.json" ]; }

app_installed() {
	bench_cmd --site "$1" list-apps 2>/dev/null | grep -q '^sales_pipeline'
}

# create_database SITE DB_NAME DB_PASSWORD: the database and its user, made with the
# root account so that `bench new-site` never has to prompt for a password.
create_database() {
	"$BENCH_DIR/env/bin/python" - "$DB_HOST" "$DB_PORT" "$DB_ROOT_USER" "$DB_ROOT_PASSWORD" "$2" "$3" <<'PY'
import sys
import pymysql
host, port, root_user, root_password, db_name, db_password = sys.argv[1:]
conn = pymysql.connect(host=host, port=int(port), user=root_user, password=root_password)
with conn.cursor() as cur:
    cur.execute(f"CREATE DATABASE IF NOT EXISTS `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for user_host in ("localhost", "127.0.0.1", "::1"):
        cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (db_name, user_host, db_password))
        cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (db_name, user_host, db_password))
        cur.execute(f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO %s@%s", (db_name, user_host))
    cur.execute("FLUSH PRIVILEGES")
conn.close()
PY
}

# complete_setup SITE TIME_ZONE: answer Frappe's setup wizard (country, time zone, currency)
# so that the desk opens; no user is created. Does nothing on a site already set up.
complete_setup() {
	local args
	args=$(printf '{"args": {"language": "English", "country": "%s", "timezone": "%s", "currency": "%s"}}' \
		"${SITE_COUNTRY:-United States}" "$2" "${SITE_CURRENCY:-USD}")
	bench_cmd --site "$1" execute frappe.desk.page.setup_wizard.setup_wizard.setup_complete --kwargs "$args" >/dev/null
}

# ensure_site SITE [TIME_ZONE]: a site with the app installed and migrated to this checkout.
ensure_site() {
	local site=$1 time_zone=${2:-${SITE_TIME_ZONE:-UTC}} db_name db_password
	if ! site_exists "$site"; then
		say "Creating site $site"
		db_name="_$(printf '%s' "$site" | sha1sum | cut -c1-15)"
		db_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
		create_database "$site" "$db_name" "$db_password"
		bench_cmd new-site "$site" --no-setup-db --db-name "$db_name" --db-password "$db_password" \
			--db-host "$DB_HOST" --db-port "$DB_PORT" --admin-password "$ADMIN_PASSWORD"
	fi
	complete_setup "$site" "$time_zone"
	if app_installed "$site"; then
		say "Migrating $site"
		bench_cmd --site "$site" migrate
	else
		say "Installing sales_pipeline on $site"
		bench_cmd --site "$site" install-app sales_pipeline
	fi
}
