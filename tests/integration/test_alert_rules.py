"""The five alert rules over several cycles through the real binary: exactly
the alerts expected, no more, no fewer, each once."""
import calendar
import json
import os
import time
import unittest

from harness import CtmonTestCase

DAY = 86400
T0 = calendar.timegm((2026, 11, 20, 0, 0, 0))
DIGICERT = (185756, "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1")
EVIL = (999, "C=XX, O=Evil CA, CN=Evil Issuing CA")


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))


def row(cid, names, serial, nb, na, ca=DIGICERT):
    return {"issuer_ca_id": ca[0], "issuer_name": ca[1],
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": iso(nb) + ".5",
            "not_before": iso(nb), "not_after": iso(na),
            "serial_number": serial, "result_count": len(names)}


BASELINE = [
    row(1, ["example.com", "www.example.com"], "0a", T0 - 100 * DAY,
        T0 + 42 * DAY),
    row(2, ["example.com", "www.example.com"], "0a", T0 - 100 * DAY,
        T0 + 42 * DAY),
]

NEWS = [
    # Evil CA, precert + cert: one unauthorized_ca, one new_subdomain.
    row(10, ["api.example.com"], "b0", T0, T0 + 90 * DAY, EVIL),
    row(11, ["api.example.com"], "b0", T0, T0 + 90 * DAY, EVIL),
    # Wildcard: its base shop.example.com is the new name.
    row(12, ["*.shop.example.com", "shop.example.com"], "c0", T0,
        T0 + 90 * DAY),
    # 24 h - 1 s is short-lived; exactly 24 h is not.
    row(13, ["short.example.com"], "d0", T0, T0 + DAY - 1),
    row(14, ["exact24.example.com"], "e0", T0, T0 + DAY),
    # Expires 10 days after cycle 2: crosses 30 and 14 days.
    row(15, ["old.example.com"], "f0", T0 - 300 * DAY, T0 + 11 * DAY),
    # Expires soon but renewed by the next row: never expiring.
    row(16, ["renewed.example.com"], "a1", T0 - 300 * DAY, T0 + 5 * DAY),
    row(17, ["renewed.example.com"], "a2", T0, T0 + 300 * DAY),
    # Already expired: new name, but no expiry alert.
    row(18, ["expired.example.com"], "a3", T0 - 300 * DAY, T0 - DAY),
]

EXPECTED_NEWS = sorted([
    ("unauthorized_ca", "critical"),
    ("wildcard_certificate", "high"),
    ("short_lived_certificate", "high"),
    ("certificate_expiring", "medium"),  # old, 30 days
    ("certificate_expiring", "medium"),  # old, 14 days
] + [("new_subdomain", "medium")] * 7)


class AlertRules(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.serve("example.com", BASELINE)
        self.start_server()
        self.report = os.path.join(self.tmp, "report.json")
        self.cfg = self.crtsh_config(extra=(
            'notifiers = ( { plugin = "stdout"; config = { format = '
            '"jsonl"; }; } );\n'))

    def cycle(self, now, *extra):
        p = self.run_ctmon("--config", self.cfg, "--domains", "example.com",
                           "--db", self.db, "--report", self.report, *extra,
                           env={"CTMON_NOW": str(now)}, check=0)
        return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

    def test_rules_over_cycles(self):
        # Cycle 1: baseline, with the CAs in use authorised.
        sent = self.cycle(T0, "--auto-baseline")
        self.assertEqual(sent, [])
        base = self.query("SELECT type, alert_key, baseline FROM alerts")
        self.assertEqual(base, [("new_subdomain", "www.example.com", 1)])

        # Cycle 2: the news, each alert exactly once.
        self.serve("example.com", BASELINE + NEWS)
        sent = self.cycle(T0 + DAY)
        got = sorted((a["type"], a["severity"]) for a in sent)
        self.assertEqual(got, EXPECTED_NEWS)
        by_type = {}
        for a in sent:
            by_type.setdefault(a["type"], []).append(a)
        unauth = by_type["unauthorized_ca"][0]["details"]
        self.assertEqual(sorted(unauth["issuance"]["crtsh_ids"]), [10, 11])
        self.assertIn("Evil CA", unauth["issuance"]["issuer"])
        new_names = sorted(a["key"] for a in by_type["new_subdomain"])
        self.assertEqual(new_names, sorted([
            "api.example.com", "shop.example.com", "short.example.com",
            "exact24.example.com", "old.example.com",
            "renewed.example.com", "expired.example.com"]))
        wild = by_type["wildcard_certificate"][0]["details"]
        self.assertIn("*.shop.example.com", json.dumps(wild))
        short = by_type["short_lived_certificate"][0]["details"]
        self.assertEqual(short["validity_seconds"], DAY - 1)
        self.assertEqual(short["threshold_hours"], 24)
        self.assertEqual(short["issuance"]["crtsh_ids"], [13])
        exp_ids = {tuple(a["details"]["issuance"]["crtsh_ids"])
                   for a in by_type["certificate_expiring"]}
        self.assertEqual(exp_ids, {(15,)})

        # Cycle 3, same day: nothing repeated.
        self.assertEqual(self.cycle(T0 + DAY), [])

        # Cycle 4: old.example.com is now within 7 days: high, once.
        sent = self.cycle(T0 + 5 * DAY)
        self.assertEqual([(a["type"], a["severity"]) for a in sent],
                         [("certificate_expiring", "high")])
        self.assertEqual(self.cycle(T0 + 6 * DAY), [])

        # Every alert type is in the report.
        with open(self.report) as f:
            rep = json.load(f)
        types = set(rep["domains"][0]["alerts_summary"]["by_type"])
        self.assertEqual(types, {"unauthorized_ca", "new_subdomain",
                                 "wildcard_certificate",
                                 "short_lived_certificate",
                                 "certificate_expiring"})
        total = self.query("SELECT count(*) FROM alerts")[0][0]
        self.assertEqual(total, 1 + len(EXPECTED_NEWS) + 1)

    def test_text_notifier_shows_every_type(self):
        self.cfg = self.crtsh_config(extra='notifiers = ( { plugin = '
                                     '"stdout"; } );')
        self.cycle(T0, "--auto-baseline")
        self.serve("example.com", BASELINE + NEWS)
        p = self.run_ctmon("--config", self.cfg, "--domains", "example.com",
                           "--db", self.db, env={"CTMON_NOW": str(T0 + DAY)},
                           check=0)
        for t in ("unauthorized_ca", "new_subdomain", "wildcard_certificate",
                  "short_lived_certificate", "certificate_expiring"):
            self.assertIn(t, p.stdout)
        self.assertIn("[CRITICAL]", p.stdout)

    def test_no_authorised_ca_warns_and_names_the_fix(self):
        self.serve("example.com", BASELINE + NEWS)
        p = self.run_ctmon("--config", self.cfg, "--domains", "example.com",
                           "--db", self.db, env={"CTMON_NOW": str(T0)},
                           check=0)
        self.assertIn("--auto-baseline", p.stderr)
        self.assertIn("--add-ca", p.stderr)
        self.assertEqual(self.query(
            "SELECT count(*) FROM alerts WHERE type='unauthorized_ca'"),
            [(0,)])

    def test_add_ca_authorises(self):
        self.run_ctmon("--db", self.db, "--add-ca", "DigiCert TLS",
                       "185756", check=0)
        self.cycle(T0)
        self.serve("example.com", BASELINE + NEWS)
        sent = self.cycle(T0 + DAY)
        unauth = [a for a in sent if a["type"] == "unauthorized_ca"]
        self.assertEqual(len(unauth), 1)
        self.assertEqual(unauth[0]["details"]["issuance"]["issuer_ca_id"],
                         999)


if __name__ == "__main__":
    unittest.main()
