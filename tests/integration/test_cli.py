"""The command line: reference flags, configuration errors, plugin
commands, store operations and exit codes."""
import json
import os
import unittest

from harness import (CtmonTestCase, SmtpServer, WebhookReceiver, fixture,
                     load_json, make_tls_cert)

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

    def test_zero_interval_is_refused(self):
        p = self.run_ctmon("--domains", "example.com", "--db", self.db,
                           "--interval", "0", check=3)
        self.assertIn("--interval must be at least 1 second", p.stderr)

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

    def test_typosquats_enables_the_plugin(self):
        # --typosquats turns on the typosquat check, which the default
        # configuration declares disabled: its candidates join the watch
        # set and crt.sh is searched for a window of them.
        self.serve("example.com", MELOTIC)
        self.start_server()
        cfg = self.crtsh_config(extra_source="max_candidate_queries = 3; "
                                "rate_per_minute = 6000; burst = 50;")
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, check=0)
        searched = [r["params"]["dnsname"] for r in self.server.requests()]
        self.assertEqual(searched, ["example.com"])
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, "--typosquats", check=0)
        self.assertIn("[check:typosquat:typosquat]", p.stderr)
        searched = [r["params"]["dnsname"]
                    for r in self.server.requests()][1:]
        self.assertEqual(len(searched), 4, searched)
        self.assertEqual(searched[0], "example.com")
        self.assertNotIn("example.com", searched[1:])
        self.assertEqual(len(set(searched[1:])), 3, searched)

    def test_webhook_flag_configures_and_delivers(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        receiver = WebhookReceiver(self.tmp)
        try:
            cfg = self.crtsh_config(extra="notify_baseline = true;")
            self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, "--webhook", receiver.url,
                           check=0)
            got = receiver.delivered()
            self.assertEqual(len(got), 1)
            # 127.0.0.1 is no chat platform: the generic document.
            ids = sorted(a["id"] for a in got[0]["json"]["alerts"])
            self.assertEqual(ids, sorted(r[0] for r in self.query(
                "SELECT id FROM alerts")))
            self.assertEqual(self.query(
                "SELECT DISTINCT status FROM outbox WHERE notifier_id = "
                "'webhook'"), [("delivered",)])
            # $CTMON_WEBHOOK_URL does the same without putting the URL's
            # token on the command line.
            self.serve("example.com", load_json(MELOTIC) + [{
                "issuer_ca_id": 1, "issuer_name": "C=US, O=X, CN=Y",
                "common_name": "fresh.example.com",
                "name_value": "fresh.example.com", "id": 1,
                "entry_timestamp": "2026-11-20T00:00:00.1",
                "not_before": "2026-11-20T00:00:00",
                "not_after": "2027-11-20T00:00:00",
                "serial_number": "77"}])
            self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, check=0,
                           env={"CTMON_WEBHOOK_URL": receiver.url})
            got = receiver.delivered()
            self.assertEqual(len(got), 2)
            self.assertEqual([a["key"] for a in got[1]["json"]["alerts"]],
                             ["fresh.example.com"])
        finally:
            receiver.stop()

    def test_smtp_flags_configure_and_deliver(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        cert, key = make_tls_cert(self.tmp)
        smtp = SmtpServer(self.tmp, cert, key, user="alerts@example.com",
                          password="app-password")
        try:
            # The file only trusts the test CA; the flags do the rest, as
            # in the reference's example (no --email-from: the user).
            cfg = self.crtsh_config(extra=(
                'notify_baseline = true;\nnotifiers = ( { plugin = '
                '"email"; config = { ca_file = "%s"; }; } );' % cert))
            p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                               "--db", self.db, "--smtp-host", "127.0.0.1",
                               "--smtp-port", str(smtp.port), "--smtp-user",
                               "alerts@example.com", "--smtp-pass",
                               "app-password", "--email-to",
                               "security@example.com", "soc@example.com",
                               check=0)
            self.assertIn("--smtp-pass puts the password where", p.stderr)
            msgs = smtp.messages()
            self.assertEqual(len(msgs), 1)
            env, raw = msgs[0]
            self.assertEqual(env["auth_user"], "alerts@example.com")
            self.assertEqual(env["mail_from"], "alerts@example.com")
            self.assertEqual(env["rcpt_tos"], ["security@example.com",
                                               "soc@example.com"])
            self.assertTrue(env["tls"])
            self.assertIn(b"multipart/alternative", raw)
        finally:
            smtp.stop()

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
        receiver = WebhookReceiver(self.tmp)
        receiver.stop()  # nobody listens: every delivery waits
        cfg = self.crtsh_config(extra="notify_baseline = true;\n"
                                'notifiers = ( { plugin = "webhook"; config '
                                '= { url = "%s"; retries = 1; }; } );'
                                % receiver.url)
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db)
        self.assertEqual(p.returncode, 1)
        n = self.query("SELECT count(*) FROM alerts")[0][0]
        p = self.run_ctmon("--db", self.db, "--outbox", check=0)
        pending = [l for l in p.stdout.splitlines() if " pending " in l]
        self.assertEqual(len(pending), n)
        self.assertTrue(all("webhook" in l and "onnect" in l
                            for l in pending))
        self.assertIn("webhook: %d pending" % n, p.stdout)
        self.assertNotIn("SECRETTOKEN", p.stdout)


if __name__ == "__main__":
    unittest.main()
