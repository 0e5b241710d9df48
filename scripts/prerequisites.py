#!/usr/bin/env python3
"""What the development scripts need from the machine, and how they bring it up.

Three parts, kept apart so that the decision can be tested on machines described in code
(scripts/check_setup_plan.py, run by .ci/run):

- `probe()` looks at this machine and returns `Facts` (what is there, what answers);
- `plan(facts, settings)` decides, without touching anything, the `Step`s that bring up what
  is missing, or what cannot be done from here;
- `apply(plan)` runs the steps, as root or through sudo where a step needs it.

	python3 scripts/prerequisites.py ensure [--browser]   # probe, plan, apply; what lib.sh runs
	python3 scripts/prerequisites.py plan [--browser]     # print the plan, change nothing
	python3 scripts/prerequisites.py db-credentials       # the MariaDB account to create sites with

`ensure` and `db-credentials` print that account on stdout (user, then password), the rest
on stderr.

Only the standard library: it runs with the system's python3 before any bench exists.
"""

from __future__ import annotations

import argparse
import configparser
import dataclasses
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DB_ADMIN_USER = "sales_pipeline_admin"
MARIADB_CONFIG = "/etc/mysql/mariadb.conf.d/99-sales-pipeline.cnf"
# The settings Frappe's installation guide gives for MariaDB. The guide's older innodb lines
# (innodb-file-format=barracuda, innodb-large-prefix=1) were removed in MariaDB 10.3, where
# their behaviour is the default; a server given them refuses to start.
MARIADB_CONFIG_TEXT = """\
# Written by the sales_pipeline development scripts (scripts/prerequisites.py): the
# settings Frappe v15 expects of MariaDB. Delete this file and restart MariaDB to undo.
[mysqld]
bind-address = 127.0.0.1
character-set-client-handshake = FALSE
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb-file-per-table = 1
innodb-default-row-format = dynamic

[mysql]
default-character-set = utf8mb4
"""


@dataclass
class Settings:
	"""What the scripts are asked for (environment of lib.sh)."""

	db_host: str = "127.0.0.1"
	db_port: int = 3306
	db_root_user: str = ""  # given explicitly (DB_ROOT_USER / DB_ROOT_PASSWORD), else empty
	db_root_password: str = ""
	redis_url: str = "redis://127.0.0.1:6379"
	tools_home: str = "~/.local/share/sales-pipeline"
	chromium: str = "/usr/bin/chromium"
	browser: bool = False  # the browser tests will run: Chromium is needed

	@property
	def node_tools(self) -> str:
		return os.path.join(self.tools_home, "node")

	@property
	def db_admin_file(self) -> str:
		return os.path.join(self.tools_home, "mariadb-admin.cnf")

	@property
	def redis_host(self) -> str:
		return urllib.parse.urlparse(self.redis_url).hostname or "127.0.0.1"

	@property
	def redis_port(self) -> int:
		return urllib.parse.urlparse(self.redis_url).port or 6379

	@classmethod
	def from_environment(cls, browser: bool = False) -> Settings:
		env = os.environ
		home = os.path.expanduser("~")
		data_home = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
		return cls(
			db_host=env.get("DB_HOST") or "127.0.0.1",
			db_port=int(env.get("DB_PORT") or 3306),
			db_root_user=env.get("DB_ROOT_USER") or ("root" if env.get("DB_ROOT_PASSWORD") else ""),
			db_root_password=env.get("DB_ROOT_PASSWORD") or "",
			redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379",
			tools_home=env.get("SALES_PIPELINE_TOOLS") or os.path.join(data_home, "sales-pipeline"),
			chromium=env.get("CHROMIUM") or "/usr/bin/chromium",
			browser=browser,
		)


@dataclass
class Facts:
	"""A description of a machine: what is installed, what answers, what this user may do.

	The defaults describe a fresh Debian 12 container entered as root: Python 3.11 without its
	venv module, Node 18 with npm, nothing else."""

	os_id: str = "debian"  # ID of /etc/os-release
	os_like: str = ""  # its ID_LIKE
	os_version: str = "12"
	user: str = "root"
	is_root: bool = True
	# "passwordless", "password" (sudo may ask in this terminal), "no terminal" (it would ask,
	# but there is no terminal to answer in) or "none"
	sudo: str = "none"
	has_apt: bool = True
	has_systemd: bool = False
	python: str | None = "/usr/bin/python3.11"  # a Python 3.10-3.12, None when there is none
	python_version: str = "3.11"
	python_has_venv: bool = False
	git: bool = False
	node_major: int | None = 18
	apt_node_major: int | None = 18  # the nodejs version apt would install
	npm: bool = True
	corepack: bool = False
	yarn: bool = False
	mariadb_client: bool = False
	db_answering: bool = False
	db_server_installed: bool = False
	db_config_written: bool = False
	# Which account creates databases: "environment", "file" (made by these scripts) or
	# "root without password"; None when none works; "unknown" when it could not be tried.
	db_credentials: str | None = "unknown"
	redis_answering: bool = False
	redis_server_installed: bool = False
	chromium: bool = False

	@property
	def can_be_root(self) -> bool:
		return self.is_root or self.sudo in ("passwordless", "password")

	@property
	def is_ubuntu(self) -> bool:
		return self.os_id == "ubuntu" or "ubuntu" in self.os_like.split()

	@property
	def is_debian_like(self) -> bool:
		return self.os_id == "debian" or "debian" in self.os_like.split() or self.is_ubuntu


@dataclass
class Step:
	"""One thing to do: `commands` run in order with bash, as root when `root`."""

	what: str
	commands: list[str]
	root: bool = False
	wait_for: tuple[str, int] | None = None  # a service that must answer afterwards


@dataclass
class Plan:
	steps: list[Step] = field(default_factory=list)
	missing: list[str] = field(default_factory=list)  # what is missing, one line each
	problems: list[str] = field(default_factory=list)  # what these scripts cannot do here
	packages: list[str] = field(default_factory=list)  # the Debian packages it installs
	can_be_root: bool = True

	@property
	def blocked(self) -> bool:
		return bool(self.problems) or (any(step.root for step in self.steps) and not self.can_be_root)

	def keys(self) -> list[str]:
		"""The steps' first words, for tests: ["install packages", "start MariaDB", ...]."""
		return [step.what.split(":", 1)[0] for step in self.steps]


def is_local(host: str) -> bool:
	return host in LOCAL_HOSTS


def service_start_command(service: str, daemon: str, facts: Facts) -> str:
	"""Start a Debian service: systemd when it runs, else the package's init script, else the
	daemon itself (containers and chroots have no systemd)."""
	if facts.has_systemd:
		return f"systemctl enable --now {service}"
	fallback = {
		"mariadb": (
			"install -d -o mysql -g mysql /run/mysqld && start-stop-daemon --start --background"
			" --chuid mysql:mysql --exec /usr/sbin/mariadbd"
		),
		"redis-server": (
			"install -d -o redis -g redis /run/redis && start-stop-daemon --start --chuid redis:redis"
			" --exec /usr/bin/redis-server -- /etc/redis/redis.conf --daemonize yes"
		),
	}[service]
	return f"if [ -x /etc/init.d/{service} ]; then /etc/init.d/{service} start; else {fallback}; fi"


def db_admin_steps(settings: Settings, password: str) -> list[Step]:
	"""A MariaDB account for these scripts, made through the server's socket as the system's
	root (Debian's MariaDB lets the system root in as its root that way, never over TCP)."""
	sql = "\n".join(
		statement
		for host in LOCAL_HOSTS
		for statement in (
			# One account a statement: in a list, IDENTIFIED BY applies to the last one only.
			f"CREATE USER IF NOT EXISTS '{DB_ADMIN_USER}'@'{host}' IDENTIFIED BY '{password}';",
			f"ALTER USER '{DB_ADMIN_USER}'@'{host}' IDENTIFIED BY '{password}';",
			f"GRANT ALL PRIVILEGES ON *.* TO '{DB_ADMIN_USER}'@'{host}' WITH GRANT OPTION;",
		)
	)
	credentials = (
		"# The MariaDB account the sales_pipeline development scripts create databases with.\n"
		f"[client]\nuser = {DB_ADMIN_USER}\npassword = {password}\n"
		f"host = {settings.db_host}\nport = {settings.db_port}\n"
	)
	return [
		Step(
			f"MariaDB account: create {DB_ADMIN_USER}, allowed to create databases and users",
			[f"mariadb --protocol=socket <<'SQL'\n{sql}\nSQL"],
			root=True,
		),
		Step(
			f"MariaDB account: keep its password in {settings.db_admin_file} (mode 600)",
			[
				f"mkdir -p {shlex.quote(settings.tools_home)}",
				f"(umask 077 && cat > {shlex.quote(settings.db_admin_file)} <<'EOF'\n{credentials}EOF\n)",
			],
		),
	]


def plan(facts: Facts, settings: Settings, password: str | None = None) -> Plan:
	"""Decide what to do on the machine `facts` describes. Touches nothing."""
	password = password or secrets.token_urlsafe(18)
	result = Plan(can_be_root=facts.can_be_root)
	packages: list[str] = []
	before_install: list[Step] = []
	after_install: list[Step] = []

	def need_package(package: str, missing: str | None = None) -> None:
		"""Install `package` from Debian's archive; `missing` says what for (None: said already)."""
		if missing:
			result.missing.append(missing)
		if not (facts.has_apt and facts.is_debian_like):
			result.problems.append(f"{missing or package}: install it with your system's package manager")
		elif package not in packages:
			packages.append(package)

	# Python, git, Node and yarn: what `bench init` and `bench build` run.
	if not facts.python:
		result.missing.append("Python 3.10, 3.11 or 3.12 (Frappe v15 supports no other)")
		result.problems.append(
			"Frappe v15 needs Python 3.10, 3.11 or 3.12 and this system has none: install one"
			" (for example `uv python install 3.12`) and set PYTHON=/path/to/python3.12"
		)
	elif not facts.python_has_venv:
		if facts.python.startswith("/usr/bin/"):
			need_package(f"python{facts.python_version}-venv", f"the venv module of {facts.python}")
		else:
			result.missing.append(f"the venv module of {facts.python}")
			result.problems.append(
				f"{facts.python} cannot make virtual environments: rebuild it with ensurepip"
			)
	if not facts.git:
		need_package("git", "git")
	node_ok = facts.node_major is not None and facts.node_major >= 18
	if not node_ok:
		found = f"Node {facts.node_major}" if facts.node_major else "no Node"
		if facts.apt_node_major is not None and facts.apt_node_major >= 18:
			need_package("nodejs", f"Node.js 18 or newer ({found} found)")
		else:
			result.missing.append(f"Node.js 18 or newer ({found} found)")
			result.problems.append(
				"Node.js 18 or newer is needed and apt offers none: install it from"
				" https://nodejs.org or https://github.com/nodesource/distributions"
			)
	if not facts.yarn:
		result.missing.append("yarn")
		bin_dir = os.path.join(settings.node_tools, "bin")
		if facts.corepack and node_ok:
			commands = [
				f"mkdir -p {shlex.quote(bin_dir)}",
				f"corepack enable --install-directory {shlex.quote(bin_dir)} yarn",
				f"COREPACK_ENABLE_DOWNLOAD_PROMPT=0 {shlex.quote(os.path.join(bin_dir, 'yarn'))} --version",
			]
			how = "Node's corepack"
		else:
			if not facts.npm:
				need_package("npm")
			commands = [f"npm install --global --prefix {shlex.quote(settings.node_tools)} yarn"]
			how = "npm"
		after_install.append(Step(f"yarn: through {how}, into {bin_dir}", commands))

	# MariaDB: answering on DB_HOST:DB_PORT, with an account that creates databases.
	if not facts.mariadb_client:
		need_package("mariadb-client", "the mariadb client (Frappe restores its first tables with it)")
	where = f"{settings.db_host}:{settings.db_port}"
	db_startable = is_local(settings.db_host) and settings.db_port == 3306
	if not facts.db_answering:
		state = "installed, not running" if facts.db_server_installed else "not installed"
		result.missing.append(f"MariaDB on {where} ({state})")
		if not db_startable:
			result.problems.append(
				f"MariaDB does not answer on {where} and these scripts start only a local one on port"
				" 3306: start that server, or point DB_HOST / DB_PORT at a running one"
			)
		else:
			if not facts.db_config_written:
				before_install.append(
					Step(
						f"MariaDB settings: utf8mb4, utf8mb4_unicode_ci, 127.0.0.1 only, in {MARIADB_CONFIG}",
						[
							f"mkdir -p {os.path.dirname(MARIADB_CONFIG)}",
							f"cat > {MARIADB_CONFIG} <<'EOF'\n{MARIADB_CONFIG_TEXT}EOF",
						],
						root=True,
					)
				)
			if not facts.db_server_installed:
				need_package("mariadb-server")
			after_install.append(
				Step(
					"start MariaDB" + ("" if facts.has_systemd else " (no systemd here)"),
					[service_start_command("mariadb", "mariadbd", facts)],
					root=True,
					wait_for=(settings.db_host, settings.db_port),
				)
			)
			if not facts.db_server_installed:
				# A new Debian MariaDB lets no one in over TCP: make the account now. On a
				# server that was only stopped, an account may work once it runs: the next
				# round decides.
				after_install.extend(db_admin_steps(settings, password))
	elif facts.db_credentials is None:
		result.missing.append(f"a MariaDB account that may create databases on {where}")
		if settings.db_root_user:
			result.problems.append(
				f"DB_ROOT_USER={settings.db_root_user} with the given DB_ROOT_PASSWORD cannot log in to {where}"
			)
		elif is_local(settings.db_host):
			after_install.extend(db_admin_steps(settings, password))
		else:
			result.problems.append(
				f"no account of {where} is known: set DB_ROOT_USER and DB_ROOT_PASSWORD to one that"
				" may create databases and users"
			)

	# Redis on REDIS_URL.
	redis_where = f"{settings.redis_host}:{settings.redis_port}"
	if not facts.redis_answering:
		state = "installed, not running" if facts.redis_server_installed else "not installed"
		result.missing.append(f"Redis on {redis_where} ({state})")
		if not is_local(settings.redis_host):
			result.problems.append(
				f"Redis does not answer on {redis_where}: start it, or point REDIS_URL at a running one"
			)
		else:
			if not facts.redis_server_installed:
				need_package("redis-server")
			if settings.redis_port == 6379:
				after_install.append(
					Step(
						"start Redis" + ("" if facts.has_systemd else " (no systemd here)"),
						[service_start_command("redis-server", "redis-server", facts)],
						root=True,
						wait_for=(settings.redis_host, settings.redis_port),
					)
				)
			else:
				# Debian's service listens on 6379; another port gets a server of this user's.
				data_dir = os.path.join(settings.tools_home, f"redis-{settings.redis_port}")
				after_install.append(
					Step(
						f"start Redis on 127.0.0.1:{settings.redis_port}, data in {data_dir}",
						[
							f"mkdir -p {shlex.quote(data_dir)}",
							f"redis-server --port {settings.redis_port} --bind 127.0.0.1 --daemonize yes"
							f" --save '' --appendonly no --dir {shlex.quote(data_dir)}"
							f" --logfile {shlex.quote(os.path.join(data_dir, 'redis.log'))}",
						],
						wait_for=("127.0.0.1", settings.redis_port),
					)
				)

	# Chromium, for the browser tests.
	if settings.browser and not facts.chromium:
		if settings.chromium != "/usr/bin/chromium":
			result.missing.append(f"Chromium at CHROMIUM={settings.chromium}")
			result.problems.append(f"CHROMIUM={settings.chromium} does not exist: fix the path or unset it")
		elif facts.is_ubuntu:
			result.missing.append("Chromium, for the browser tests")
			result.problems.append(
				"Ubuntu's chromium package only installs a snap: install a Chromium or Chrome"
				" and set CHROMIUM=/path/to/it"
			)
		else:
			need_package("chromium", "Chromium, for the browser tests")

	result.packages = packages
	if packages:
		install = Step(
			"install packages: " + " ".join(packages),
			[
				"apt-get update -q",
				"DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + " ".join(packages),
			],
			root=True,
		)
		result.steps = [*before_install, install, *after_install]
	else:
		result.steps = [*before_install, *after_install]
	return result


def describe(plan_: Plan, facts: Facts, command: str) -> str:
	"""The one message for a run that cannot bring up everything itself: all that is missing,
	what these scripts cannot do, and the exact commands that do the rest."""
	lines = ["This machine lacks what the development bench needs:"]
	lines += [f"  - {item}" for item in plan_.missing]
	if plan_.problems:
		lines.append("These scripts cannot do this here; please do it yourself:")
		lines += [f"  - {problem}" for problem in plan_.problems]
	root_steps = [step for step in plan_.steps if step.root]
	if root_steps and not facts.can_be_root:
		why = "is not root and may not use sudo"
		if facts.sudo == "no terminal":
			why = "is not root, and sudo asks for a password where there is no terminal to type it"
		lines.append(f"This user ({facts.user}) {why}. As root, run:")
		lines += [
			f"    {line}" for step in root_steps for command in step.commands for line in command.splitlines()
		]
		user_steps = [step for step in plan_.steps if not step.root]
		if user_steps:
			lines.append(f"then, as {facts.user}:")
			lines += [
				f"    {line}"
				for step in user_steps
				for command in step.commands
				for line in command.splitlines()
			]
	elif plan_.steps:
		lines.append(f"Once that is done, {command} does the rest itself:")
		lines += [f"  - {step.what}" for step in plan_.steps]
	lines.append(f"Then run {command} again.")
	return "\n".join(lines)


# --- probing this machine -----------------------------------------------------------------


def port_open(host: str, port: int, timeout: float = 2) -> bool:
	try:
		socket.create_connection((host, port), timeout=timeout).close()
		return True
	except OSError:
		return False


def run_quietly(args: list[str], **kwargs) -> subprocess.CompletedProcess:
	return subprocess.run(args, capture_output=True, text=True, **kwargs)


def os_release() -> dict[str, str]:
	values = {}
	try:
		with open("/etc/os-release") as file:
			for line in file:
				key, _, value = line.strip().partition("=")
				values[key] = value.strip('"')
	except OSError:
		pass
	return values


def pick_python() -> tuple[str | None, str]:
	"""The Python lib.sh's pick_python would take: PYTHON, else the newest 3.10-3.12."""
	for candidate in [os.environ.get("PYTHON"), "python3.12", "python3.11", "python3.10", "python3"]:
		path = candidate and shutil.which(candidate)
		if not path:
			continue
		answer = run_quietly(
			[path, "-c", "import sys; print(sys.executable, '%d.%d' % sys.version_info[:2])"]
		).stdout.split()
		if len(answer) == 2 and answer[1] in ("3.10", "3.11", "3.12"):
			return answer[0], answer[1]
	return None, ""


def sudo_mode(is_root: bool) -> str:
	if is_root or not shutil.which("sudo"):
		return "none"
	if run_quietly(["sudo", "-n", "true"]).returncode == 0:
		return "passwordless"
	groups = {grp.getgrgid(gid).gr_name for gid in os.getgroups()}
	if groups & {"sudo", "admin", "wheel"}:
		return "password" if sys.stdin.isatty() else "no terminal"
	return "none"


def node_major(node: str = "node") -> int | None:
	if not shutil.which(node):
		return None
	match = re.match(r"v(\d+)", run_quietly([node, "--version"]).stdout.strip())
	return int(match.group(1)) if match else None


def apt_candidate_major(package: str) -> int | None:
	if not shutil.which("apt-cache"):
		return None
	match = re.search(r"Candidate:\s*(?:\d+:)?(\d+)\.", run_quietly(["apt-cache", "policy", package]).stdout)
	return int(match.group(1)) if match else None


def mariadb_login_works(settings: Settings, user: str, password: str) -> bool:
	client = shutil.which("mariadb") or shutil.which("mysql")
	if not client:
		return False
	with tempfile.NamedTemporaryFile("w", suffix=".cnf") as defaults:
		# Through a file, so the password never shows in the process list.
		defaults.write(f"[client]\nuser={user}\npassword={password}\n")
		defaults.flush()
		answer = run_quietly(
			[client, f"--defaults-extra-file={defaults.name}", "--protocol=tcp", "-h", settings.db_host]
			+ ["-P", str(settings.db_port), "--connect-timeout=5", "-N", "-e", "SELECT 1"]
		)
	return answer.returncode == 0


def read_db_admin_file(path: str) -> tuple[str, str] | None:
	parser = configparser.ConfigParser()
	try:
		if not parser.read(path) or "client" not in parser:
			return None
	except configparser.Error:
		return None
	return parser["client"].get("user", ""), parser["client"].get("password", "")


def db_credential_candidates(settings: Settings) -> list[tuple[str, str, str]]:
	"""(source, user, password) in the order the scripts use them."""
	if settings.db_root_user:
		return [("environment", settings.db_root_user, settings.db_root_password)]
	candidates = []
	stored = read_db_admin_file(settings.db_admin_file)
	if stored:
		candidates.append(("file", *stored))
	candidates.append(("root without password", "root", ""))
	return candidates


def probe(settings: Settings) -> Facts:
	release = os_release()
	is_root = os.geteuid() == 0
	python, python_version = pick_python()
	node = node_major()
	yarn_shim = os.path.join(settings.node_tools, "bin", "yarn")
	facts = Facts(
		os_id=release.get("ID", ""),
		os_like=release.get("ID_LIKE", ""),
		os_version=release.get("VERSION_ID", ""),
		user=pwd.getpwuid(os.geteuid()).pw_name,
		is_root=is_root,
		sudo=sudo_mode(is_root),
		has_apt=bool(shutil.which("apt-get")),
		has_systemd=os.path.isdir("/run/systemd/system"),
		python=python,
		python_version=python_version,
		python_has_venv=bool(python)
		and run_quietly([python, "-c", "import ensurepip, venv"]).returncode == 0,
		git=bool(shutil.which("git")),
		node_major=node,
		apt_node_major=apt_candidate_major("nodejs") if not node or node < 18 else node,
		npm=bool(shutil.which("npm")),
		corepack=bool(shutil.which("corepack")),
		yarn=bool(shutil.which("yarn")) or os.access(yarn_shim, os.X_OK),
		mariadb_client=bool(shutil.which("mariadb") or shutil.which("mysql")),
		db_answering=port_open(settings.db_host, settings.db_port),
		db_server_installed=any(os.path.exists(p) for p in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld")),
		db_config_written=os.path.exists(MARIADB_CONFIG),
		redis_answering=port_open(settings.redis_host, settings.redis_port),
		redis_server_installed=bool(shutil.which("redis-server") or os.path.exists("/usr/bin/redis-server")),
		chromium=os.access(settings.chromium, os.X_OK),
	)
	if facts.db_answering and facts.mariadb_client:
		facts.db_credentials = next(
			(
				source
				for source, user, password in db_credential_candidates(settings)
				if mariadb_login_works(settings, user, password)
			),
			None,
		)
	return facts


# --- doing --------------------------------------------------------------------------------


def say(message: str) -> None:
	print(f"\033[1;34m==>\033[0m {message}", file=sys.stderr, flush=True)


def apply(plan_: Plan, facts: Facts) -> None:
	for step in plan_.steps:
		say(step.what)
		for command in step.commands:
			# From a file of this user's, not the command line: some commands carry a password.
			with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
				script.write(command + "\n")
				script.flush()
				args = ["bash", "-euo", "pipefail", script.name]
				if step.root and not facts.is_root:
					args = ["sudo", *args]
				# stdout is for the result of `ensure`: what the steps print goes to stderr.
				if subprocess.run(args, stdout=sys.stderr).returncode != 0:
					raise SystemExit(f"error: this failed ({step.what}):\n{command}")
		if step.wait_for:
			deadline = time.monotonic() + 60
			while not port_open(*step.wait_for):
				if time.monotonic() > deadline:
					raise SystemExit(
						f"error: nothing answers on {step.wait_for[0]}:{step.wait_for[1]} after: {step.what}"
					)
				time.sleep(0.5)


def ensure(settings: Settings, command: str) -> tuple[str, str]:
	"""Bring up what is missing; return the MariaDB account to create databases with. Some
	facts can only be known once a service runs (whether an account works), so it probes
	again after each round; the last probe must find nothing to do."""
	for _round in range(3):
		facts = probe(settings)
		todo = plan(facts, settings)
		if todo.blocked:
			raise SystemExit(describe(todo, facts, command))
		if not todo.steps:
			return db_credentials(settings)
		apply(todo, facts)
	raise SystemExit("error: still missing after setting up: " + "; ".join(todo.missing))


def db_credentials(settings: Settings) -> tuple[str, str]:
	"""The first account that logs in (the first one to try when none does, so that the
	error names it)."""
	candidates = db_credential_candidates(settings)
	working = [c for c in candidates if mariadb_login_works(settings, c[1], c[2])]
	_source, user, password = (working or candidates)[0]
	return user, password


def main(argv: list[str] | None = None) -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("action", choices=["ensure", "plan", "db-credentials"])
	parser.add_argument("--browser", action="store_true", help="Chromium is needed too (the browser tests)")
	parser.add_argument("--command", default="the script", help="what the user ran, for the message")
	args = parser.parse_args(argv)
	settings = Settings.from_environment(browser=args.browser)
	if args.action in ("ensure", "db-credentials"):
		# Two lines on stdout, user then password; everything else goes to stderr.
		if args.action == "ensure":
			user, password = ensure(settings, args.command)
		else:
			user, password = db_credentials(settings)
		print(user)
		print(password)
	elif args.action == "plan":
		facts = probe(settings)
		todo = plan(facts, settings)
		print(json.dumps(dataclasses.asdict(facts), indent=1, sort_keys=True))
		if todo.blocked:
			print(describe(todo, facts, args.command))
		for step in todo.steps:
			print(("[root] " if step.root else "") + step.what)
			for command in step.commands:
				print("    " + command.replace("\n", "\n    "))
		if not todo.steps and not todo.blocked:
			print("Nothing to do: everything is there.")


if __name__ == "__main__":
	main()
