"""What the development scripts would do on machines this one is not: the decision part of
scripts/prerequisites.py run on described machines, and the database naming rules of
scripts/dev_site.py. Nothing here touches the machine; .ci/run runs it with the system's python3.

	python3 scripts/check_setup_plan.py [-v]
"""

import dataclasses
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dev_site  # noqa: E402
from prerequisites import MARIADB_CONFIG, Facts, Settings, describe, plan  # noqa: E402

PASSWORD = "generated-password"
SETTINGS = Settings(tools_home="/home/dev/.local/share/sales-pipeline")

# A Debian 12 container entered as root: Python 3.11 without its venv module, Debian's
# Node 18 with npm, nothing else (the Facts defaults).
FRESH_DEBIAN_AS_ROOT = Facts()
# The same machine booted with systemd, entered as a user who may sudo without a password.
FRESH_DEBIAN_AS_SUDO_USER = dataclasses.replace(
	FRESH_DEBIAN_AS_ROOT, user="dev", is_root=False, sudo="passwordless", has_systemd=True
)
# ... as a user who is neither root nor allowed to sudo.
FRESH_DEBIAN_NO_ROOT = dataclasses.replace(FRESH_DEBIAN_AS_ROOT, user="dev", is_root=False, sudo="none")
# Everything there and answering (the CI machine).
EVERYTHING_PRESENT = dataclasses.replace(
	FRESH_DEBIAN_AS_ROOT,
	python_has_venv=True,
	git=True,
	node_major=20,
	corepack=True,
	yarn=True,
	mariadb_client=True,
	db_answering=True,
	db_server_installed=True,
	db_credentials="root without password",
	redis_answering=True,
	redis_server_installed=True,
	chromium=True,
)


def plan_for(facts: Facts, browser: bool = True, **settings):
	return plan(facts, dataclasses.replace(SETTINGS, browser=browser, **settings), password=PASSWORD)


def commands(result) -> str:
	return "\n".join(command for step in result.steps for command in step.commands)


class FreshDebianAsRoot(unittest.TestCase):
	def setUp(self):
		self.plan = plan_for(FRESH_DEBIAN_AS_ROOT)

	def test_it_may_do_everything_itself(self):
		self.assertFalse(self.plan.blocked, self.plan.problems)

	def test_it_installs_every_missing_package_at_once(self):
		self.assertEqual(
			self.plan.packages,
			["python3.11-venv", "git", "mariadb-client", "mariadb-server", "redis-server", "chromium"],
		)

	def test_the_steps_come_in_an_order_that_works(self):
		self.assertEqual(
			self.plan.keys(),
			[
				"MariaDB settings",  # before the package, whose installation starts the server
				"install packages",
				"yarn",
				"start MariaDB (no systemd here)",
				"MariaDB account",
				"MariaDB account",
				"start Redis (no systemd here)",
			],
		)

	def test_mariadb_gets_frappes_settings_bound_to_loopback(self):
		text = commands(self.plan)
		self.assertIn(f"cat > {MARIADB_CONFIG}", text)
		for setting in (
			"bind-address = 127.0.0.1",
			"character-set-server = utf8mb4",
			"collation-server = utf8mb4_unicode_ci",
			"character-set-client-handshake = FALSE",
			"innodb-file-per-table = 1",
		):
			self.assertIn(setting, text)
		# Removed in MariaDB 10.3: a server given them does not start.
		self.assertNotIn("innodb-large-prefix", text)
		self.assertNotIn("innodb-file-format", text)

	def test_services_start_without_systemd(self):
		text = commands(self.plan)
		self.assertNotIn("systemctl", text)
		self.assertIn("/etc/init.d/mariadb start", text)
		self.assertIn("/etc/init.d/redis-server start", text)

	def test_an_admin_account_is_made_through_the_socket_and_its_password_kept_private(self):
		create, keep = [step for step in self.plan.steps if step.what.startswith("MariaDB account")]
		self.assertTrue(create.root)
		self.assertIn("mariadb --protocol=socket", create.commands[0])
		self.assertIn("WITH GRANT OPTION", create.commands[0])
		self.assertIn(PASSWORD, create.commands[0])
		self.assertFalse(keep.root)
		self.assertIn("umask 077", keep.commands[-1])
		self.assertIn(SETTINGS.db_admin_file, keep.commands[-1])

	def test_yarn_comes_from_npm_into_the_users_tools(self):
		yarn = next(step for step in self.plan.steps if step.what.startswith("yarn"))
		self.assertFalse(yarn.root)
		self.assertEqual(yarn.commands, [f"npm install --global --prefix {SETTINGS.node_tools} yarn"])

	def test_without_the_browser_tests_chromium_is_not_installed(self):
		self.assertNotIn("chromium", plan_for(FRESH_DEBIAN_AS_ROOT, browser=False).packages)


class FreshDebianAsSudoUser(unittest.TestCase):
	def setUp(self):
		self.plan = plan_for(FRESH_DEBIAN_AS_SUDO_USER)

	def test_it_may_do_everything_itself(self):
		self.assertFalse(self.plan.blocked)

	def test_system_changes_go_through_sudo_and_the_rest_stays_the_users(self):
		as_root = {step.what.split(":")[0] for step in self.plan.steps if step.root}
		as_user = {step.what.split(":")[0] for step in self.plan.steps if not step.root}
		self.assertEqual(
			as_root,
			{"MariaDB settings", "install packages", "start MariaDB", "start Redis", "MariaDB account"},
		)
		self.assertEqual(as_user, {"yarn", "MariaDB account"})

	def test_services_start_through_systemd(self):
		text = commands(self.plan)
		self.assertIn("systemctl enable --now mariadb", text)
		self.assertIn("systemctl enable --now redis-server", text)

	def test_corepack_is_preferred_for_yarn(self):
		result = plan_for(dataclasses.replace(FRESH_DEBIAN_AS_SUDO_USER, node_major=20, corepack=True))
		yarn = next(step for step in result.steps if step.what.startswith("yarn"))
		self.assertIn("corepack enable --install-directory", yarn.commands[1])
		self.assertNotIn("npm", result.packages)

	def test_sudo_that_needs_a_password_nobody_can_type_counts_as_no_sudo(self):
		no_terminal = dataclasses.replace(FRESH_DEBIAN_AS_SUDO_USER, sudo="no terminal")  # CI
		self.assertTrue(plan_for(no_terminal).blocked)
		self.assertIn("no terminal", describe(plan_for(no_terminal), no_terminal, "scripts/dev-bench.sh"))
		self.assertFalse(plan_for(dataclasses.replace(FRESH_DEBIAN_AS_SUDO_USER, sudo="password")).blocked)


class FreshDebianWithoutRoot(unittest.TestCase):
	def setUp(self):
		self.plan = plan_for(FRESH_DEBIAN_NO_ROOT)
		self.message = describe(self.plan, FRESH_DEBIAN_NO_ROOT, "scripts/run-tests.sh")

	def test_it_stops(self):
		self.assertTrue(self.plan.blocked)

	def test_one_message_names_everything_missing(self):
		for missing in ("venv module", "git", "yarn", "mariadb client", "MariaDB on", "Redis on", "Chromium"):
			self.assertIn(missing, self.message)

	def test_the_message_gives_the_exact_commands(self):
		self.assertIn("This user (dev) is not root and may not use sudo. As root, run:", self.message)
		self.assertIn(
			"DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11-venv git mariadb-client"
			" mariadb-server redis-server chromium",
			self.message,
		)
		self.assertIn("/etc/init.d/mariadb start", self.message)
		self.assertIn("mariadb --protocol=socket <<'SQL'", self.message)
		self.assertIn(f"npm install --global --prefix {SETTINGS.node_tools} yarn", self.message)
		self.assertTrue(self.message.endswith("Then run scripts/run-tests.sh again."))

	def test_with_everything_there_it_needs_no_root(self):
		no_root = dataclasses.replace(EVERYTHING_PRESENT, user="dev", is_root=False)
		self.assertFalse(plan_for(no_root).blocked)

	def test_what_a_user_may_do_alone_needs_no_root(self):
		only_yarn_missing = dataclasses.replace(EVERYTHING_PRESENT, user="dev", is_root=False, yarn=False)
		result = plan_for(only_yarn_missing)
		self.assertFalse(result.blocked)
		self.assertEqual(result.keys(), ["yarn"])


class EverythingPresent(unittest.TestCase):
	def test_nothing_is_installed_or_started(self):
		result = plan_for(EVERYTHING_PRESENT)
		self.assertEqual(result.steps, [])
		self.assertEqual(result.missing, [])
		self.assertFalse(result.blocked)

	def test_a_running_server_is_never_reconfigured(self):
		result = plan_for(dataclasses.replace(EVERYTHING_PRESENT, db_config_written=False))
		self.assertNotIn(MARIADB_CONFIG, commands(result))


class PartlySetUp(unittest.TestCase):
	def test_a_stopped_mariadb_gets_the_settings_and_is_started_not_reinstalled(self):
		stopped = dataclasses.replace(EVERYTHING_PRESENT, db_answering=False, db_credentials="unknown")
		result = plan_for(stopped)
		self.assertEqual(result.keys(), ["MariaDB settings", "start MariaDB (no systemd here)"])
		self.assertEqual(result.packages, [])

	def test_a_running_mariadb_without_a_known_account_gets_one(self):
		no_account = dataclasses.replace(EVERYTHING_PRESENT, db_credentials=None)
		self.assertEqual(plan_for(no_account).keys(), ["MariaDB account", "MariaDB account"])

	def test_given_credentials_that_fail_are_reported_not_replaced(self):
		result = plan_for(
			dataclasses.replace(EVERYTHING_PRESENT, db_credentials=None),
			db_root_user="admin",
			db_root_password="x",
		)
		self.assertTrue(result.blocked)
		self.assertIn("DB_ROOT_USER=admin", result.problems[0])

	def test_a_remote_database_that_does_not_answer_is_not_installed_here(self):
		result = plan_for(
			dataclasses.replace(EVERYTHING_PRESENT, db_answering=False), db_host="db.example.com"
		)
		self.assertTrue(result.blocked)
		self.assertEqual(result.packages, [])

	def test_redis_on_another_port_runs_as_this_user(self):
		result = plan_for(
			dataclasses.replace(EVERYTHING_PRESENT, redis_answering=False, is_root=False, user="dev"),
			redis_url="redis://127.0.0.1:6380",
		)
		self.assertFalse(result.blocked)
		self.assertIn("redis-server --port 6380 --bind 127.0.0.1 --daemonize yes", commands(result))

	def test_old_node_is_replaced_from_apt_when_apt_has_a_new_one(self):
		result = plan_for(dataclasses.replace(EVERYTHING_PRESENT, node_major=12, apt_node_major=18))
		self.assertEqual(result.packages, ["nodejs"])

	def test_old_node_without_a_newer_one_in_apt_is_reported(self):
		result = plan_for(dataclasses.replace(EVERYTHING_PRESENT, node_major=12, apt_node_major=12))
		self.assertTrue(result.blocked)
		self.assertIn("Node.js 18", result.problems[0])

	def test_no_supported_python_is_reported(self):
		result = plan_for(dataclasses.replace(EVERYTHING_PRESENT, python=None, python_version=""))
		self.assertTrue(result.blocked)
		self.assertIn("PYTHON=", result.problems[0])

	def test_ubuntus_chromium_snap_is_not_installed(self):
		ubuntu = dataclasses.replace(EVERYTHING_PRESENT, os_id="ubuntu", os_like="debian", chromium=False)
		result = plan_for(ubuntu)
		self.assertTrue(result.blocked)
		self.assertEqual(result.packages, [])
		self.assertIn("CHROMIUM=", result.problems[0])

	def test_a_system_without_apt_gets_a_list_not_an_attempt(self):
		fedora = dataclasses.replace(FRESH_DEBIAN_AS_ROOT, os_id="fedora", has_apt=False)
		result = plan_for(fedora)
		self.assertTrue(result.blocked)
		self.assertEqual(result.packages, [])
		self.assertIn("install it with your system's package manager", " ".join(result.problems))


class DatabaseNames(unittest.TestCase):
	def test_two_benches_never_share_a_database(self):
		site = "test.sales-pipeline.localhost"
		self.assertNotEqual(
			dev_site.database_name("/home/a/sales-pipeline-bench", site),
			dev_site.database_name("/home/b/sales-pipeline-bench", site),
		)

	def test_two_sites_of_a_bench_never_share_a_database(self):
		bench = "/home/a/sales-pipeline-bench"
		self.assertNotEqual(
			dev_site.database_name(bench, "sales-pipeline.localhost"),
			dev_site.database_name(bench, "test.sales-pipeline.localhost"),
		)

	def test_the_name_is_the_one_bench_new_site_would_choose(self):
		import hashlib

		expected = "_" + hashlib.sha1(b"/srv/bench/sites/one.localhost").hexdigest()[:16]
		self.assertEqual(dev_site.database_name("/srv/bench", "one.localhost"), expected)

	def test_a_database_that_is_not_the_sites_is_refused(self):
		mark = dev_site.owner_mark("/srv/bench", "one.localhost")
		self.assertIsNotNone(dev_site.refusal("_abc", "one.localhost", True, None, mark))
		self.assertIsNotNone(dev_site.refusal("_abc", "one.localhost", True, "another site", mark))

	def test_a_new_database_or_the_sites_own_unfinished_one_is_used(self):
		mark = dev_site.owner_mark("/srv/bench", "one.localhost")
		self.assertIsNone(dev_site.refusal("_abc", "one.localhost", False, None, mark))
		self.assertIsNone(dev_site.refusal("_abc", "one.localhost", True, mark, mark))

	def test_the_fingerprint_changes_with_the_app_and_with_frappe(self):
		app_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
		self.assertEqual(
			dev_site.app_fingerprint(app_dir, "15.55.1"), dev_site.app_fingerprint(app_dir, "15.55.1")
		)
		self.assertNotEqual(
			dev_site.app_fingerprint(app_dir, "15.55.1"), dev_site.app_fingerprint(app_dir, "15.56.0")
		)


class DeskAssets(unittest.TestCase):
	"""dev_site.assets_state, run from a bench's sites directory."""

	def setUp(self):
		import tempfile

		self.tmp = tempfile.TemporaryDirectory()
		self.addCleanup(self.tmp.cleanup)
		self.app = os.path.join(self.tmp.name, "app")
		self.sites = os.path.join(self.tmp.name, "sites")
		os.makedirs(os.path.join(self.app, "sales_pipeline", "public"))
		os.makedirs(os.path.join(self.sites, "assets"))
		os.symlink(
			os.path.join(self.app, "sales_pipeline", "public"),
			os.path.join(self.sites, "assets", "sales_pipeline"),
		)
		self.write(self.app, "sales_pipeline/public/js/sales_pipeline.bundle.js", "console.log(1)")
		cwd = os.getcwd()
		os.chdir(self.sites)
		self.addCleanup(os.chdir, cwd)

	def write(self, base, path, text):
		os.makedirs(os.path.dirname(os.path.join(base, path)), exist_ok=True)
		with open(os.path.join(base, path), "w") as file:
			file.write(text)

	def build(self):
		"""What `bench build` and record-assets leave."""
		built = "/assets/sales_pipeline/dist/js/sales_pipeline.bundle.ABC.js"
		self.write(self.app, "sales_pipeline/public/dist/js/sales_pipeline.bundle.ABC.js", "built")
		self.write(self.sites, "assets/assets.json", json.dumps({"sales_pipeline.bundle.js": built}))
		_built, fingerprint = dev_site.assets_state(self.app)
		self.write(self.sites, dev_site.ASSETS_STAMP, fingerprint)

	def test_a_bench_that_never_built_the_app_builds_it(self):
		self.assertFalse(dev_site.assets_state(self.app)[0])

	def test_built_from_these_files_it_is_not_built_again(self):
		self.build()
		self.assertTrue(dev_site.assets_state(self.app)[0])

	def test_a_changed_script_is_built_again(self):
		self.build()
		self.write(self.app, "sales_pipeline/public/js/sales_pipeline.bundle.js", "console.log(2)")
		self.assertFalse(dev_site.assets_state(self.app)[0])

	def test_a_new_checkout_without_the_built_file_builds_it(self):
		self.build()
		os.remove(os.path.join(self.app, "sales_pipeline/public/dist/js/sales_pipeline.bundle.ABC.js"))
		self.assertFalse(dev_site.assets_state(self.app)[0])


if __name__ == "__main__":
	unittest.main()
