#!/usr/bin/env python3
"""Active typosquat mode end to end: the real ctmon binary, the typosquat
check and the crt.sh source against the local crt.sh-compatible server.

The check adds example.com's candidates to the watch set; each cycle the
crt.sh source searches example.com and then the next window of
max_candidate_queries candidates, in name order from where the last cycle
stopped.  The server holds certificates for two candidates; each must
raise one typosquat_detected alert (candidate, fuzzer, certificate count,
issuers, earliest date) in the cycle whose window reaches it, and never a
second one when the rotation comes round again.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from harness import CtmonTestCase, fixture  # noqa: E402

MELOTIC = fixture("melotic-enum.land__tests_data_crtsh.json")
WINDOW = 5


def row(crtsh_id, names, issuer, ca_id, serial, not_before):
    return {"issuer_ca_id": ca_id, "issuer_name": issuer,
            "common_name": names[0], "name_value": "\n".join(names),
            "id": crtsh_id, "entry_timestamp": not_before + ".123",
            "not_before": not_before, "not_after": "2031-01-01T00:00:00",
            "serial_number": serial}


class ActiveMode(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.serve("example.com", MELOTIC)
        self.start_server()
        self.cfg = self.crtsh_config(
            extra_source="max_candidate_queries = %d; rate_per_minute = "
            "6000; burst = 50;" % WINDOW,
            extra='checks = ( { plugin = "typosquat"; config = { fuzzers '
            '= [ "omission", "transposition" ]; }; } );\n'
            'notifiers = ( { plugin = "stdout"; config = { format = '
            '"jsonl"; }; } );\n')

    def candidates(self):
        p = self.run_ctmon("--config", self.cfg, "--typosquats",
                           "--list-candidates", "example.com", check=0)
        return sorted(line.split("\t")[0] for line in p.stdout.splitlines())

    def cycle(self):
        before = len(self.server.requests())
        p = self.run_ctmon("--config", self.cfg, "--domains", "example.com",
                           "--db", self.db, "--typosquats", check=0)
        searched = [r["params"]["dnsname"]
                    for r in self.server.requests()[before:]]
        alerts = [json.loads(l) for l in p.stdout.splitlines()
                  if l.startswith("{")]
        return searched, alerts, p

    def typosquat_alerts(self):
        return {key: (sev, dom, json.loads(details), baseline)
                for key, sev, dom, details, baseline in self.query(
                    "SELECT alert_key, severity, domain, details, baseline "
                    "FROM alerts WHERE type = 'typosquat_detected'")}

    def test_rotating_window_finds_planted_lookalikes(self):
        cands = self.candidates()
        # omission (7) + transposition (6) of "example"
        self.assertEqual(len(cands), 13, cands)
        self.assertIn("exmaple.com", cands)
        self.assertIn("exampe.com", cands)
        # Two lookalikes with certificates, reached in cycles 2 and 3.
        second, third = cands[WINDOW + 1], cands[-1]
        self.serve(second, [
            row(9001, [second, "www." + second],
                "C=US, O=Let's Encrypt, CN=R3", 183267, "0a0b",
                "2024-03-01T10:00:00"),
            row(9002, [second, "www." + second],
                "C=US, O=Let's Encrypt, CN=R3", 183267, "0a0b",
                "2024-03-01T10:00:00"),
            row(9003, ["mail." + second], "C=GB, O=Sectigo, CN=Sectigo",
                1397, "0c0d", "2023-12-24T08:00:00")])
        self.serve(third, [
            row(9010, ["*." + third], "C=US, O=Let's Encrypt, CN=E5",
                413, "0e0f", "2024-05-05T05:05:05")])

        searched, alerts, p = self.cycle()
        self.assertEqual(searched, ["example.com"] + cands[:WINDOW])
        self.assertEqual(self.typosquat_alerts(), {})
        self.assertIn("searched 5 of 13 check patterns", p.stderr)

        searched, alerts, p = self.cycle()
        self.assertEqual(searched,
                         ["example.com"] + cands[WINDOW:2 * WINDOW])
        found = self.typosquat_alerts()
        self.assertEqual(list(found), [second])
        sev, dom, d, baseline = found[second]
        self.assertEqual(dom, "example.com")
        self.assertEqual(sev, 3)  # high
        self.assertEqual(baseline, 0)
        self.assertEqual(d["candidate"], second)
        self.assertEqual(d["rule"], "exact")
        self.assertIn(d["fuzzer"], ("omission", "transposition"))
        # A precertificate and its certificate are one certificate.
        self.assertEqual(d["certificate_count"], 2)
        self.assertEqual(sorted(d["issuers"]),
                         ["C=GB, O=Sectigo, CN=Sectigo",
                          "C=US, O=Let's Encrypt, CN=R3"])
        self.assertEqual(d["earliest_not_before"], "2023-12-24T08:00:00Z")
        self.assertEqual(sorted(d["crtsh_ids"]), [9001, 9002, 9003])
        # Delivered by the notifier as it happened.
        sent = [a for a in alerts if a.get("type") == "typosquat_detected"]
        self.assertEqual(len(sent), 1, p.stdout)
        self.assertEqual(sent[0]["key"], second)

        # Every cycle uses its whole budget: the window wraps round.
        searched, alerts, p = self.cycle()
        self.assertEqual(searched, ["example.com"] + cands[2 * WINDOW:] +
                         cands[:3 * WINDOW - len(cands)])
        found = self.typosquat_alerts()
        self.assertEqual(sorted(found), sorted([second, third]))
        self.assertEqual(found[third][2]["certificate_count"], 1)
        self.assertEqual(found[third][2]["names"], ["*." + third])
        self.assertIn("wildcard", found[third][2]["signs"])

        # The rotation goes on; what was found is not found again.
        searched, alerts, p = self.cycle()
        self.assertEqual(searched[1:], cands[2:2 + WINDOW])
        self.assertIn(second, searched)
        self.assertEqual([a for a in alerts
                          if a.get("type") == "typosquat_detected"], [])
        self.assertEqual(len(self.typosquat_alerts()), 2)
        # Lookalikes' certificates are not the monitored domain's: no
        # other alert mentions them.
        self.assertEqual(self.query(
            "SELECT count(*) FROM alerts WHERE type != 'typosquat_detected'"
            " AND details LIKE ?", "%" + second + "%")[0][0], 0)

    def test_candidate_failures_do_not_fail_the_cycle(self):
        cands = self.candidates()
        cfg = self.crtsh_config(
            extra_source="max_candidate_queries = %d; rate_per_minute = "
            "6000; burst = 50; retries = 2;" % WINDOW,
            extra='checks = ( { plugin = "typosquat"; config = { fuzzers '
            '= [ "omission", "transposition" ]; }; } );\n')
        # example.com is answered; every candidate search then gets
        # crt.sh's 503 page on both attempts.
        self.server.ctl("fault=slow&delay=0&count=1")
        self.server.ctl("fault=503&count=1000")
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, "--typosquats", check=0)
        self.assertIn("5 of 5 candidate searches failed", p.stderr)
        self.assertIsNotNone(self.query(
            "SELECT baselined_at FROM domains WHERE domain = "
            "'example.com'")[0][0])
        # The window moved on all the same.
        self.server.get("/_reset")
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, "--typosquats", check=0)
        log = self.server.requests()
        searched = [r["params"]["dnsname"] for r in log]
        self.assertEqual(searched, ["example.com"] +
                         cands[WINDOW:2 * WINDOW])


if __name__ == "__main__":
    unittest.main()
