"""Misissuance-shaped certificates are never dropped in silence (issue
#12, point 1): a certificate whose names fail host-name validation (a label
over 63 bytes, non-ASCII bytes, a NUL, an empty label) is stored, matched
against the monitored domains on its readable part, logged, and alerted as
`malformed_certificate` (high) - through crt.sh and through DER (the file
source parses certificates as the ctlog source does).  E-mail addresses and
organisation names that crt.sh mixes into name_value stay ignored.
Only 127.0.0.1 is contacted."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

sys.path.insert(0, HERE)

import ct_certs  # noqa: E402
from harness import CtmonTestCase  # noqa: E402

LONG = "a" * 64 + ".example.com"


def row(cid, names, serial, ca=4242):
    return {"issuer_ca_id": ca, "issuer_name": "C=XX, O=Rogue, CN=Rogue CA",
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": "2026-11-01T00:00:00.5",
            "not_before": "2026-11-01T00:00:00",
            "not_after": "2027-01-30T00:00:00", "serial_number": serial}


class MalformedNames(CtmonTestCase):
    def alerts(self):
        return {k: json.loads(d) for k, d in self.query(
            "SELECT c.crtsh_id, a.details FROM alerts a JOIN certificates c"
            " ON c.issuance_id = a.issuance_id"
            " WHERE a.type = 'malformed_certificate'")}

    def test_crtsh_records(self):
        self.serve("example.com", [
            row(1, [LONG], "01"),
            row(2, ["caf\u00e9.example.com"], "02"),
            row(3, ["bad..example.com", "fine.example.com"], "03"),
            row(4, ["admin@example.com", "Example Inc"], "04"),
            row(5, ["www.example.com"], "05"),
            row(6, ["caf\u00e9.example.org"], "06"),
        ])
        self.start_server()
        cfg = self.crtsh_config(extra='database = "%s";\ndomains = '
                                '[ "example.com" ];\n' % self.db)
        p = self.run_ctmon("--config", cfg, check=0)
        got = self.alerts()
        self.assertEqual(sorted(got), [1, 2, 3])
        self.assertEqual(got[1]["malformed_names"][0]["problem"],
                         "a label over 63 bytes")
        self.assertEqual(got[2]["malformed_names"][0]["name"],
                         "caf\\xc3\\xa9.example.com")
        self.assertIn("non-ASCII", got[2]["malformed_names"][0]["problem"])
        self.assertEqual(got[3]["malformed_names"][0]["name"],
                         "bad..example.com")
        self.assertEqual(self.query("SELECT severity FROM alerts WHERE type"
                                    " = 'malformed_certificate'"),
                         [(3,)] * 3)
        # Stored, and kept out of the subdomains (nothing to resolve).
        self.assertEqual(self.query(
            "SELECT count(*) FROM certificates WHERE crtsh_id IN (1, 2)")[0][0],
            2)
        subs = {r[0] for r in self.query("SELECT name FROM subdomains")}
        self.assertEqual(subs, {"fine.example.com", "www.example.com"})
        # Said in the log, with the record to look at.
        self.assertIn("crt.sh id 1 has a malformed name under example.com",
                      p.stderr)

    def test_der_with_nul_and_long_label(self):
        pem = os.path.join(self.tmp, "pem")
        ct_certs.write_single_name_certs(pem, ("\x00evil.example.com", LONG),
                                         700, cn=False)
        cfg = self.write_config(
            'database = "%s";\ndomains = [ "example.com" ];\n'
            'resolve_dns = false;\nsources = ( { plugin = "file"; config = '
            '{ paths = [ "%s" ]; }; } );\nnotifiers = ();\n' % (self.db, pem))
        self.run_ctmon("--config", cfg, check=0)
        names = sorted(json.loads(d)["malformed_names"][0]["name"]
                       for (d,) in self.query(
                           "SELECT details FROM alerts WHERE type ="
                           " 'malformed_certificate'"))
        self.assertEqual(names, ["\\x00evil.example.com", LONG])


class TerminalSafeListing(CtmonTestCase):
    """Issue #12 point 7: CA names learnt from certificates cannot drive
    the operator's terminal."""

    def test_list_cas_escapes_controls(self):
        hostile = ("C=XX, O=\x1b[2J\x1b]0;owned\x07Evil\u202e, "
                   "CN=Fake\r\nCA")
        r = row(1, ["www.example.com"], "01")
        r["issuer_name"] = hostile
        self.serve("example.com", [r])
        self.start_server()
        cfg = self.crtsh_config(extra='database = "%s";\ndomains = '
                                '[ "example.com" ];\nnotifiers = ();\n'
                                % self.db)
        self.run_ctmon("--config", cfg, "--auto-baseline", check=0)
        p = self.run_ctmon("--config", cfg, "--list-cas", check=0)
        for bad in ("\x1b", "\x07", "\r", "\u202e"):
            self.assertNotIn(bad, p.stdout)
        self.assertIn("Fake\\x0d\\x0aCA", p.stdout)
        self.assertIn("\\x1b[2j\\x1b]0;owned\\x07", p.stdout)
        self.assertIn("\\xe2\\x80\\xae", p.stdout)
        self.assertEqual(p.stdout.count("\n"), len(p.stdout.splitlines()))


class RolledBackWorkNotCounted(CtmonTestCase):
    """Issue #12 point 6: the cycle summary counts what was kept."""

    def test_summary_counts_only_committed_batches(self):
        self.serve("big.example", [row(100 + i, ["h%d.big.example" % i],
                                       "%04x" % (0x500 + i))
                                   for i in range(300)])
        self.serve("example.com", [row(1, ["www.example.com"], "01")])
        self.start_server("--chunk-size", "512")
        self.server.ctl("fault=truncate&at=30000")
        cfg = self.crtsh_config(
            extra_source="retries = 1;",
            extra='database = "%s";\ndomains = [ "big.example", '
            '"example.com" ];\nnotifiers = ();\n' % self.db)
        p = self.run_ctmon("--config", cfg, check=1)
        self.assertEqual(self.query("SELECT count(*) FROM certificates")[0][0],
                         1)
        self.assertIn("cycle: 1 records, 1 new certificates, 1 new "
                      "issuances", p.stderr)
        self.assertIn("rolled back", p.stderr)


if __name__ == "__main__":
    unittest.main()
