"""The ABI 1.0 fixture plugins (tests/abi/v1.0) in a real ctmon run.

The fake host proves the plugins meet the API table it implements; this
proves the real one does: ctmon loads all three kinds from a plugin_dir,
the 1.0 source's certificate becomes an issuance, the 1.0 check alerts on
it once, and the 1.0 notifier receives the alert the real core rendered.
Usage: test_abi_cycle.py PLUGIN_DIR (CTMON_BIN names the binary).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

PLUGIN_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else None
BINARY = os.environ.get("CTMON_BIN", "ctmon")


class AbiCycle(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ctm-abi-")
        self.dir = self.tmp.name
        self.out = os.path.join(self.dir, "alerts.tsv")
        self.cfg = os.path.join(self.dir, "ctmon.cfg")
        with open(self.cfg, "w") as f:
            f.write("""
database = "%s/ct.db";
domains = [ "example.com" ];
plugin_dir = "%s";
notify_baseline = true;
resolve_dns = false;   # tests never ask the system's resolvers
sources = ( { plugin = "abi10_source"; } );
checks = ( { plugin = "abi10_check"; config = { label = "cycle"; }; } );
notifiers = ( { plugin = "abi10_notifier"; config = { path = "%s"; }; } );
""" % (self.dir, PLUGIN_DIR, self.out))

    def tearDown(self):
        self.tmp.cleanup()

    def ctmon(self, *args):
        env = dict(os.environ)
        env.pop("CTMON_PLUGIN_DIR", None)
        return subprocess.run([BINARY, "--config", self.cfg, *args],
                              capture_output=True, text=True, timeout=120,
                              env=env)

    def lines(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            return f.read().splitlines()

    def test_listed_from_plugin_dir(self):
        r = self.ctmon("--list-plugins")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, kind in (("abi10_source", "source"),
                           ("abi10_check", "check"),
                           ("abi10_notifier", "notifier")):
            line = [l for l in r.stdout.splitlines()
                    if l.split()[:1] == [name]]
            self.assertEqual(len(line), 1, r.stdout)
            self.assertEqual(line[0].split()[1:3], [kind, "1.0.0"])

    def test_cycle_alerts_once(self):
        r = self.ctmon()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        lines = self.lines()
        self.assertEqual(len(lines), 1, lines)
        typ, sev, domain, key, doc = lines[0].split("\t")
        self.assertEqual((typ, sev, domain), ("abi_v1_0", "high",
                                              "example.com"))
        alert = json.loads(doc)
        self.assertEqual(alert["type"], "abi_v1_0")
        self.assertEqual(alert["details"]["label"], "cycle")
        self.assertEqual(alert["details"]["first"], "abi10.example.com")
        self.assertEqual(alert["key"], key)
        self.assertTrue(alert["baseline"])
        # The core's own member, added to what the 1.0 check gave it.
        issuance = alert["details"]["issuance"]
        self.assertEqual(issuance["names"], ["abi10.example.com"])
        self.assertEqual(issuance["issuer"],
                         "C=XX, O=ABI Fixtures, CN=ABI 1.0 Test CA")
        self.assertIn("[check:abi10_check:abi10_check] cycle after 1 "
                      "issuances", r.stderr)
        # The same certificate next cycle is no news.
        r = self.ctmon()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(self.lines()), 1, self.lines())
        self.assertIn("cycle after 0 issuances", r.stderr)


if __name__ == "__main__":
    unittest.main()
