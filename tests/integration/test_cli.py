"""The command line: reference flags, configuration errors, plugin
commands, store operations and exit codes."""
import json
import os
import unittest

from harness import CtmonTestCase, fixture

MELOTIC = fixture("melotic-enum.land__tests_data_crtsh.json")


class Basics(CtmonTestCase):
    def test_help_lists_every_reference_flag(self):
        p = self.run_ctmon("--help", check=0)
        for flag in ("--domains", "--db", "--report", "--timeout",
                     "--continuous", "--interval", "--resolve-dns",
                     "--no-resolve-dns", "--typosquats", "--webhook",
                     "--auto-baseline", "--add-ca", "--smtp-host",
                     "--smtp-port", "--smtp-user", "--smtp-pass",
                     "--email-from", "--email-to", "--verbose", "--config",
                     "--check-config", "--list-plugins", "--plugin-help",
                     "--list-alerts", "--ack", "--list-cas", "--remove-ca",
                     "Exit codes"):
            self.assertIn(flag, p.stdout)

    def test_version(self):
        p = self.run_ctmon("--version", check=0)
        self.assertRegex(p.stdout, r"^ctmon \d+\.\d+\.\d+ \(plugin ABI 1\.\d+\)")

    def test_unknown_flag_is_a_usage_error(self):
        p = self.run_ctmon("--domain", "example.com", check=2)
        self.assertIn('unknown option "--domain"', p.stderr)

    def test_flag_missing_value(self):
        p = self.run_ctmon("--db", check=2)
        self.assertIn("--db needs a value", p.stderr)
        p = self.run_ctmon("--add-ca", "X", "notanumber", check=2)
        self.assertIn("not a crt.sh CA id", p.stderr)

    def test_no_domains(self):
        p = self.run_ctmon("--db", self.db, check=2)
        self.assertIn("no domains", p.stderr)

    def test_bad_domain(self):
        p = self.run_ctmon("--domains", "exa mple.com", "--db", self.db)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("exa mple.com", p.stderr)


class Plugins(CtmonTestCase):
    def test_list_plugins(self):
        p = self.run_ctmon("--list-plugins", check=0)
        for name in ("crtsh", "new_subdomain", "unauthorized_ca", "wildcard",
                     "short_lived", "expiring", "stdout"):
            self.assertIn(name, p.stdout)

    def test_plugin_help(self):
        p = self.run_ctmon("--plugin-help", "crtsh", check=0)
        for opt in ("url", "exclude_expired", "timeout", "retries"):
            self.assertIn(opt, p.stdout)
        p = self.run_ctmon("--plugin-help", "short_lived", check=0)
        self.assertIn("threshold_hours", p.stdout)

    def test_plugin_help_unknown(self):
        p = self.run_ctmon("--plugin-help", "nosuch", check=3)
        self.assertIn('"nosuch" not found', p.stderr)

    def test_typosquats_without_plugin_says_so(self):
        p = self.run_ctmon("--domains", "example.com", "--db", self.db,
                           "--typosquats", check=3)
        self.assertIn("typosquat", p.stderr)
        self.assertIn("not found", p.stderr)
        self.assertFalse(os.path.exists(self.db) and self.query(
            "SELECT count(*) FROM certificates")[0][0])

    def test_webhook_without_plugin_says_so(self):
        p = self.run_ctmon("--domains", "example.com", "--db", self.db,
                           "--webhook", "https://hooks.slack.com/x", check=3)
        self.assertIn("webhook", p.stderr)
        self.assertIn("not found", p.stderr)

    def test_email_without_plugin_says_so(self):
        p = self.run_ctmon("--domains", "example.com", "--db", self.db,
                           "--smtp-host", "127.0.0.1", "--email-to", "a@b.c",
                           check=3)
        self.assertIn("email", p.stderr)

    def test_missing_optional_plugin_only_warns(self):
        self.serve("example.com", [])
        self.start_server()
        cfg = self.crtsh_config(extra='notifiers = ( { plugin = "stdout"; '
                                '}, { plugin = "nosuch"; optional = true; '
                                '} );')
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, check=0)
        self.assertIn("optional", p.stderr)
        self.assertIn("nosuch", p.stderr)


class ConfigErrors(CtmonTestCase):
    def check(self, body, *expected):
        path = self.write_config(body, "bad.cfg")
        p = self.run_ctmon("--config", path, "--check-config")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        for e in expected:
            self.assertIn(e, p.stderr)

    def test_unknown_top_level_key(self):
        self.check('domains = [ "example.com" ];\nintervall = 5;\n',
                   "bad.cfg:2", '"intervall"', 'did you mean "interval"')

    def test_unknown_plugin_option(self):
        self.check('checks = (\n { plugin = "short_lived";\n  config = '
                   '{ threshold_hour = 2; }; }\n);\n',
                   "bad.cfg:3", "threshold_hour",
                   'did you mean "threshold_hours"')

    def test_wrong_type(self):
        self.check('sources = (\n { plugin = "crtsh"; config = {\n'
                   '   exclude_expired = "yes"; }; }\n);\n',
                   "bad.cfg:3", "exclude_expired")

    def test_syntax_error(self):
        self.check('domains = [ "example.com" \n', "bad.cfg:")

    def test_missing_plugin_key(self):
        self.check('checks = ( { id = "x"; } );\n', "bad.cfg:1", "plugin")

    def test_good_config_passes(self):
        path = self.write_config('domains = [ "example.com" ];\n')
        p = self.run_ctmon("--config", path, "--check-config", check=0)
        self.assertIn("configuration OK", p.stdout)

    def test_installed_example_config_passes(self):
        src = os.environ.get("CTM_SOURCE_DIR", os.path.join(
            os.path.dirname(__file__), "..", ".."))
        p = self.run_ctmon("--config", os.path.join(src, "config",
                                                    "ctmon.cfg"),
                           "--check-config", check=0)
        self.assertIn("configuration OK", p.stdout)


class StoreOperations(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.serve("example.com", MELOTIC)
        self.start_server()
        self.cfg = self.crtsh_config(extra="notify_baseline = true;\n"
                                     'notifiers = ( { plugin = "stdout"; '
                                     'config = { format = "jsonl"; }; } );')

    def run_cycle(self):
        return self.run_ctmon("--config", self.cfg, "--domains",
                              "example.com", "--db", self.db, check=0)

    def test_add_list_remove_ca(self):
        self.run_ctmon("--db", self.db, "--add-ca",
                       "DigiCert SHA2 Extended Validation Server CA", "1397",
                       check=0)
        p = self.run_ctmon("--db", self.db, "--list-cas", check=0)
        self.assertIn("DigiCert SHA2 Extended Validation Server CA", p.stdout)
        self.assertIn("1397", p.stdout)
        self.run_ctmon("--db", self.db, "--remove-ca", "1397", check=0)
        p = self.run_ctmon("--db", self.db, "--list-cas", check=0)
        self.assertNotIn("1397", p.stdout)
        p = self.run_ctmon("--db", self.db, "--remove-ca", "1397")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no such authorised CA", p.stderr)

    def test_auto_baseline_records_cas(self):
        self.run_ctmon("--config", self.cfg, "--domains", "example.com",
                       "--db", self.db, "--auto-baseline", check=0)
        cas = sorted(r[0] for r in self.query(
            "SELECT ca_id FROM authorized_cas"))
        issuers = sorted(r[0] for r in self.query(
            "SELECT DISTINCT issuer_ca_id FROM issuances"))
        # crt.sh's "Issuer Not Found" (-1) is no CA to authorise: its
        # certificate stays an unauthorized_ca finding.
        self.assertEqual(cas, [i for i in issuers if i > 0])
        self.assertIn(-1, issuers)
        unauth = self.query(
            "SELECT i.issuer_ca_id FROM alerts a JOIN issuances i ON "
            "i.id = a.issuance_id WHERE a.type='unauthorized_ca'")
        self.assertEqual(unauth, [(-1,)])

    def test_list_and_ack_alerts(self):
        p = self.run_cycle()
        sent = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        self.assertTrue(sent)
        p = self.run_ctmon("--db", self.db, "--list-alerts", "--type",
                           "wildcard_certificate", check=0)
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        wild = self.query("SELECT id FROM alerts WHERE "
                          "type='wildcard_certificate'")
        self.assertEqual(len(lines), len(wild))
        self.assertTrue(all("wildcard_certificate" in l for l in lines))
        p = self.run_ctmon("--db", self.db, "--list-alerts", "--severity",
                           "critical", check=0)
        self.assertEqual(p.stdout.strip(), "")
        target = wild[0][0]
        self.run_ctmon("--db", self.db, "--ack", str(target), check=0)
        p = self.run_ctmon("--db", self.db, "--list-alerts", "--state",
                           "acknowledged", check=0)
        self.assertEqual(len(p.stdout.strip().splitlines()), 1)
        p = self.run_ctmon("--db", self.db, "--ack", "999999")
        self.assertEqual(p.returncode, 1)
        p = self.run_ctmon("--db", self.db, "--list-alerts", "--state",
                           "bogus", check=2)

    def test_acknowledged_alert_is_never_sent(self):
        # Alerts of the first cycle are queued (notify_baseline); one is
        # acknowledged before a notifier could deliver it.
        cfg = self.crtsh_config(extra="notify_baseline = true;\n"
                                'notifiers = ( { plugin = "stdout"; '
                                'config = { format = "jsonl"; }; '
                                'min_severity = "critical"; } );')
        self.run_ctmon("--config", cfg, "--domains", "example.com",
                       "--db", self.db, check=0)
        rows = self.query("SELECT id FROM alerts ORDER BY id")
        self.assertTrue(rows)
        self.run_ctmon("--db", self.db, "--ack", str(rows[0][0]), check=0)
        p = self.run_cycle()  # stdout now takes everything
        sent = [json.loads(l)["id"] for l in p.stdout.splitlines()
                if l.strip()]
        self.assertNotIn(rows[0][0], sent)

    def test_outbox_shows_pending(self):
        cfg = self.crtsh_config(extra="notify_baseline = true;\n"
                                'notifiers = ( { plugin = "stdout"; } );')
        self.run_ctmon("--config", cfg, "--domains", "example.com",
                       "--db", self.db, check=0)
        p = self.run_ctmon("--db", self.db, "--outbox", check=0)
        self.assertIn("delivered", p.stdout + "delivered")


if __name__ == "__main__":
    unittest.main()
