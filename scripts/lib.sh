# shellcheck shell=bash
# Shared steps of the development scripts. Sourced, not run.
# Every step is idempotent: running a script twice reuses what the first run built, and a
# second run on a set-up machine installs, starts and migrates nothing.

set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${SALES_PIPELINE_BENCH:-$HOME/sales-pipeline-bench}
FRAPPE_REPO=${FRAPPE_REPO:-https://github.com/frappe/frappe}
FRAPPE_BRANCH=${FRAPPE_BRANCH:-version-15}
FRAPPE_PATH=${FRAPPE_PATH:-}
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin}
# What these scripts keep outside the bench: the bench command line, yarn when the machine
# had none, and the MariaDB account they made (mariadb-admin.cnf).
TOOLS_HOME=${SALES_PIPELINE_TOOLS:-${XDG_DATA_HOME:-$HOME/.local/share}/sales-pipeline}
BENCH_TOOLS=${BENCH_TOOLS:-$TOOLS_HOME/bench-cli}
export SALES_PIPELINE_TOOLS=$TOOLS_HOME DB_HOST DB_PORT REDIS_URL
export PATH="$TOOLS_HOME/node/bin:$PATH"
# Corepack's yarn would otherwise ask before its first download, and wait for an answer.
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

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

# check_services [--browser]: MariaDB, Redis, git, Node, yarn (and Chromium with --browser),
# brought up by scripts/prerequisites.py when missing and this user may (root or sudo);
# otherwise one message lists everything missing with the commands. Then DB_ROOT_USER and
# DB_ROOT_PASSWORD name the account that creates the sites' databases.
check_services() {
	local credentials
	credentials=$(python3 "$APP_DIR/scripts/prerequisites.py" ensure --command "scripts/$(basename "$0")" "$@") ||
		exit 1
	{ read -r DB_ROOT_USER; read -r DB_ROOT_PASSWORD || true; } <<<"$credentials"
	export DB_ROOT_USER DB_ROOT_PASSWORD
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
	compgen -G "$BENCH_DIR/env/lib/python3*/site-packages/pkg_resources/__init__.py" >/dev/null ||
		uv pip install --quiet --python "$BENCH_DIR/env/bin/python" "setuptools<81"
	configure_bench
}

# Point the bench at REDIS_URL and name this user as frappe_user (without which bench
# refuses every command when run as root). Writes only when something changes.
configure_bench() {
	"$BENCH_DIR/env/bin/python" - "$BENCH_DIR/sites/common_site_config.json" "$REDIS_URL" "$(id -un)" <<'PY'
import json, sys
path, redis_url, user = sys.argv[1:]
with open(path) as f:
    config = json.load(f)
wanted = dict(config, redis_cache=redis_url, redis_queue=redis_url, redis_socketio=redis_url, frappe_user=user)
if wanted != config:
    with open(path, "w") as f:
        json.dump(wanted, f, indent=1, sort_keys=True)
PY
}

bench_cmd() { (cd "$BENCH_DIR" && bench "$@"); }

# Put this checkout (not a copy) into the bench: apps/sales_pipeline becomes a
# link to it and the bench's Python imports it in editable mode.
link_app() {
	local target="$BENCH_DIR/apps/sales_pipeline"
	if [ -L "$target" ] || [ ! -e "$target" ]; then
		[ "$(readlink "$target" 2>/dev/null)" = "$APP_DIR" ] || ln -sfn "$APP_DIR" "$target"
	elif [ "$(cd "$target" && pwd -P)" != "$(cd "$APP_DIR" && pwd -P)" ]; then
		die "$target is a separate copy of the app (from bench get-app?); remove it to develop from $APP_DIR"
	fi
	# -I: not from the current directory, which may be this checkout.
	if ! "$BENCH_DIR/env/bin/python" -I - "$APP_DIR/sales_pipeline" <<'PY'; then
import importlib.util, os, sys
spec = importlib.util.find_spec("sales_pipeline")
here = spec and spec.origin and os.path.realpath(os.path.dirname(spec.origin))
sys.exit(here != os.path.realpath(sys.argv[1]))
PY
		say "Installing $APP_DIR into the bench"
		uv pip install --quiet --python "$BENCH_DIR/env/bin/python" -e "$target"
	fi
	local apps_txt="$BENCH_DIR/sites/apps.txt"
	if ! grep -qx sales_pipeline "$apps_txt"; then
		# bench writes apps.txt without a final newline
		[ -z "$(tail -c1 "$apps_txt")" ] || printf '\n' >>"$apps_txt"
		printf 'sales_pipeline\n' >>"$apps_txt"
	fi
	mkdir -p "$BENCH_DIR/sites/assets"
	[ "$(readlink "$BENCH_DIR/sites/assets/sales_pipeline")" = "$APP_DIR/sales_pipeline/public" ] ||
		ln -sfn "$APP_DIR/sales_pipeline/public" "$BENCH_DIR/sites/assets/sales_pipeline"
}

# ensure_assets: the app's desk bundles (public/**/*.bundle.*), built by `bench build --app
# sales_pipeline` into this checkout's public/dist; built again only when public/ changed.
ensure_assets() {
	local fingerprint
	if fingerprint=$(dev_site assets-state "$APP_DIR"); then
		return 0
	fi
	say "Building the app's desk assets"
	bench_cmd build --app sales_pipeline
	[ -z "$fingerprint" ] || dev_site record-assets "$fingerprint"
}

site_exists() { [ -f "$BENCH_DIR/sites/$1/site_config.json" ]; }

app_installed() {
	bench_cmd --site "$1" list-apps 2>/dev/null | grep -q '^sales_pipeline'
}

# dev_site ACTION ARGS...: scripts/dev_site.py with the bench's Python, from its sites directory.
dev_site() { (cd "$BENCH_DIR/sites" && "$BENCH_DIR/env/bin/python" "$APP_DIR/scripts/dev_site.py" "$@"); }

# create_site SITE: its database (named from this bench and the site, refused when it
# exists and is not this site's; see scripts/dev_site.py) and the site on it, made with the
# DB_ROOT_USER account so that `bench new-site` never has to prompt for a password.
create_site() {
	local site=$1 db_name db_password
	db_password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
	db_name=$(DB_HOST=$DB_HOST DB_PORT=$DB_PORT dev_site create-db "$BENCH_DIR" "$site" "$db_password")
	bench_cmd new-site "$site" --no-setup-db --db-name "$db_name" --db-password "$db_password" \
		--db-host "$DB_HOST" --db-port "$DB_PORT" --admin-password "$ADMIN_PASSWORD"
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
# A site already migrated to exactly these files (and this Frappe) is left as it is; SITE_STATE
# then holds what scripts/dev_site.py found (setup_complete installed up_to_date ...).
ensure_site() {
	local site=$1 time_zone=${2:-${SITE_TIME_ZONE:-UTC}} fingerprint
	if ! site_exists "$site"; then
		say "Creating site $site"
		create_site "$site"
	fi
	SITE_STATE=" $(dev_site state "$site" "$APP_DIR" 2>/dev/null || true) "
	fingerprint=$(printf '%s' "$SITE_STATE" | sed -n 's/.* fingerprint=\([0-9a-f]*\) .*/\1/p')
	site_state_has setup_complete || complete_setup "$site" "$time_zone"
	if ! site_state_has installed && ! app_installed "$site"; then
		say "Installing sales_pipeline on $site"
		bench_cmd --site "$site" install-app sales_pipeline
	elif site_state_has up_to_date; then
		say "$site is migrated to this checkout already"
		return
	else
		say "Migrating $site"
		bench_cmd --site "$site" migrate
	fi
	[ -z "$fingerprint" ] || dev_site record-migrated "$site" "$fingerprint"
}

site_state_has() { [[ "$SITE_STATE" == *" $1 "* ]]; }

# dev_requirements_met: the bench's Python already has what dev-requirements.txt asks for.
dev_requirements_met() {
	"$BENCH_DIR/env/bin/python" - "$APP_DIR/dev-requirements.txt" <<'PY' 2>/dev/null
import sys
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            sys.exit(1)
        if not requirement.specifier.contains(installed, prereleases=True):
            sys.exit(1)
PY
}
