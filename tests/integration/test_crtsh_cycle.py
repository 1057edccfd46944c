"""End to end: the ctmon binary against the local crt.sh server.

Stores, de-duplicates precert/cert pairs, matches on label boundaries,
reports, and keeps the store untouched when crt.sh fails in any of the ways
it really fails (shared/docs/crtsh.md §1.5).
"""
import json
import os
import unittest

from harness import CtmonTestCase, fixture, load_json

MIHARI = fixture("ninoseki-mihari__cassette_crt_sh_www_example_com.body.json")
MELOTIC = fixture("melotic-enum.land__tests_data_crtsh.json")
PYTHON_ORG = fixture("mcgyver5-goog_ct_api__crt.sh.json")

NOW = 1700000000  # 2023-11-14: some fixture certificates still valid


def row(cid, names, serial, nb="2023-10-01T00:00:00",
        na="2024-10-01T00:00:00", ca=185756,
        issuer="C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1"):
    return {"issuer_ca_id": ca, "issuer_name": issuer,
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": "2023-10-01T01:02:03.4",
            "not_before": nb, "not_after": na, "serial_number": serial,
            "result_count": len(names)}


class StoreAndDedup(CtmonTestCase):
    def test_precert_and_cert_are_one_issuance(self):
        self.serve("www.example.com", MIHARI)
        self.start_server()
        cfg = self.crtsh_config()
        self.run_ctmon("--config", cfg, "--domains", "www.example.com",
                       "--db", self.db, env={"CTMON_NOW": str(NOW)},
                       check=0)
        # 3 rows, of which 6359075900 and 6342480680 are one pair.
        self.assertEqual(self.query("SELECT count(*) FROM certificates"),
                         [(3,)])
        self.assertEqual(self.query("SELECT count(*) FROM issuances"),
                         [(2,)])
        pair = self.query(
            "SELECT count(*) FROM certificates c JOIN issuances i ON "
            "i.id = c.issuance_id WHERE c.crtsh_id IN (6359075900, "
            "6342480680) GROUP BY i.id")
        self.assertEqual(pair, [(2,)])

    def test_rerun_stores_nothing_twice(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        cfg = self.crtsh_config()
        args = ("--config", cfg, "--domains", "example.com", "--db", self.db)
        self.run_ctmon(*args, check=0)
        first = self.db_snapshot()
        self.run_ctmon(*args, check=0)
        second = self.db_snapshot()
        for table in ("certificates", "issuances", "subdomains", "alerts",
                      "certificate_names"):
            self.assertEqual(first[table], second[table], table)

    def test_label_boundaries_and_non_host_names(self):
        rows = [
            row(1, ["a.example.com", "notexample.com"], "01"),
            row(2, ["example.com.evil.net", "admin@example.com"], "02"),
            row(3, ["Example.com Ltd", "B.Example.COM."], "03"),
            row(4, ["xexample.com"], "04"),
            row(5, ["*.wild.example.com"], "05"),
        ]
        self.serve("example.com", rows)
        self.start_server()
        self.run_ctmon("--config", self.crtsh_config(), "--domains",
                       "example.com", "--db", self.db, check=0)
        subs = [r[0] for r in self.query(
            "SELECT name FROM subdomains ORDER BY name")]
        # The wildcard makes its base known; upper case and the trailing
        # dot are normalised; nothing outside example.com is a subdomain.
        self.assertEqual(subs, ["a.example.com", "b.example.com",
                                "wild.example.com"])
        stored = sorted(r[0] for r in self.query(
            "SELECT crtsh_id FROM certificates"))
        self.assertEqual(stored, [1, 3, 5])
        names = [r[0] for r in self.query(
            "SELECT name FROM certificate_names ORDER BY name")]
        self.assertNotIn("admin@example.com", names)
        self.assertNotIn("example.com ltd", names)

    def test_query_form_and_exclude_expired(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        cfg = self.crtsh_config("exclude_expired = true;")
        self.run_ctmon("--config", cfg, "--domains", "example.com",
                       "--db", self.db, check=0)
        reqs = self.server.requests()
        self.assertEqual(len(reqs), 1)
        params = reqs[0]["params"]
        lowered = {k.lower(): v for k, v in params.items()}
        # crt.sh treats "%.example.com" and "example.com" alike (§1.1).
        self.assertIn(lowered.get("dnsname"), ("example.com",
                                               "%.example.com"))
        self.assertEqual(lowered.get("exclude"), "expired")
        self.assertEqual(lowered.get("output"), "json")

    def test_big_python_org_response(self):
        self.serve("python.org", PYTHON_ORG)
        self.start_server()
        self.run_ctmon("--config", self.crtsh_config(), "--domains",
                       "python.org", "--db", self.db, check=0)
        with open(PYTHON_ORG) as f:
            rows = json.load(f)
        ids = {r["id"] for r in rows
               if any(n.lower().rstrip(".") == "python.org" or
                      n.lower().rstrip(".").endswith(".python.org")
                      for n in r["name_value"].split("\n")
                      if "@" not in n and " " not in n)}
        stored = {r[0] for r in self.query("SELECT crtsh_id FROM "
                                           "certificates")}
        self.assertEqual(stored, ids)


class Report(CtmonTestCase):
    def test_report_content(self):
        self.serve("example.com", MELOTIC)
        self.serve("www.example.com", MIHARI)
        self.start_server()
        report = os.path.join(self.tmp, "report.json")
        self.run_ctmon("--config", self.crtsh_config(), "--domains",
                       "example.com", "www.example.com", "--db", self.db,
                       "--report", report, env={"CTMON_NOW": str(NOW)},
                       check=0)
        with open(report) as f:
            rep = json.load(f)
        self.assertIn("generated_at", rep)
        doms = {d["domain"]: d for d in rep["domains"]}
        self.assertEqual(set(doms), {"example.com", "www.example.com"})
        ex = doms["example.com"]
        issuances = self.query(
            "SELECT count(DISTINCT issuance_id) FROM certificate_names "
            "WHERE name = 'example.com' OR name LIKE '%.example.com'")[0][0]
        self.assertEqual(ex["certificates"]["total"], issuances)
        subs = sorted(s["name"] for s in ex["subdomains"])
        self.assertEqual(subs, sorted(r[0] for r in self.query(
            "SELECT name FROM subdomains WHERE domain='example.com'")))
        self.assertTrue(ex["top_issuers"])
        self.assertGreaterEqual(ex["top_issuers"][0]["certificates"],
                                ex["top_issuers"][-1]["certificates"])
        # Baseline findings are in the report though not sent.
        types = {a["type"] for a in ex["recent_alerts"]}
        self.assertIn("new_subdomain", types)
        self.assertIn("wildcard_certificate", types)
        # www.example.com is under example.com: its total counts every
        # issuance naming it, whichever query found it.
        www = self.query(
            "SELECT count(DISTINCT issuance_id) FROM certificate_names "
            "WHERE name = 'www.example.com'")[0][0]
        self.assertEqual(doms["www.example.com"]["certificates"]["total"],
                         www)
        self.assertLess(www, issuances)


class Failures(CtmonTestCase):
    """Every failure mode: clear error, exit 1, store exactly as before."""

    def prime(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        self.cfg = self.crtsh_config("retries = 2; timeout = 2;")
        self.args = ("--config", self.cfg, "--domains", "example.com",
                     "--db", self.db)
        self.run_ctmon(*self.args, check=0)
        # New data arrives, but crt.sh fails while serving it.
        self.serve("example.com",
                   [row(90, ["new.example.com"], "aa"),
                    row(91, ["new.example.com"], "aa")] +
                   load_json(MELOTIC))
        return self.db_snapshot()

    def assert_failed_cleanly(self, fault, count, stderr_has):
        before = self.prime()
        self.server.ctl("fault=%s&count=%d" % (fault, count))
        p = self.run_ctmon(*self.args)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(stderr_has, p.stderr)
        self.assertIn("example.com", p.stderr)
        self.assertEqual(self.db_snapshot(), before)
        # And the next cycle, with crt.sh back, gets everything.
        self.run_ctmon(*self.args, check=0)
        self.assertEqual(self.query(
            "SELECT count(*) FROM certificates WHERE crtsh_id IN (90, 91)"),
            [(2,)])

    def test_503_html_page(self):
        self.assert_failed_cleanly("503", 2, "503")

    def test_502_nginx(self):
        self.assert_failed_cleanly("502", 2, "502")

    def test_429_without_retry_after(self):
        self.assert_failed_cleanly("429-no-retry", 2, "429")

    def test_html_with_200(self):
        self.assert_failed_cleanly("html200", 2, "HTML")

    def test_html_labelled_json(self):
        self.assert_failed_cleanly("html-as-json", 2, "HTML")

    def test_empty_body(self):
        self.assert_failed_cleanly("empty", 2, "empty")

    def test_truncated_json_chunked(self):
        self.assert_failed_cleanly("truncate", 2, "example.com")

    def test_truncated_json_close(self):
        self.assert_failed_cleanly("truncate-close", 2, "truncated")

    def test_truncated_json_length(self):
        self.assert_failed_cleanly("truncate-length", 2, "example.com")

    def test_timeout(self):
        self.prime()
        before = self.db_snapshot()
        self.server.ctl("fault=slow&count=2&delay=4")
        p = self.run_ctmon(*self.args)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("timed out", p.stderr)
        self.assertEqual(self.db_snapshot(), before)

    def test_403_user_agent_blocked_is_not_retried(self):
        before = self.prime()
        self.server.ctl("fault=403&count=5")
        p = self.run_ctmon(*self.args)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("User-Agent", p.stderr)
        self.assertEqual(len(self.server.requests()), 2)  # prime + this one
        self.assertEqual(self.db_snapshot(), before)


class RollbackWithinCycle(CtmonTestCase):
    def test_names_of_a_failed_domain_are_recorded_by_a_later_one(self):
        # example.com's answer is cut off after its rows were emitted; the
        # same names then arrive through www.example.com's query in the
        # same cycle and must be recorded under both domains.
        shared = [row(10, ["a.www.example.com"], "10"),
                  row(11, ["b.www.example.com"], "11")]
        self.serve("example.com", shared + [row(12, ["c.example.com"],
                                                "12")])
        self.serve("www.example.com", shared)
        self.start_server()
        self.server.ctl("fault=truncate-close&count=1")
        cfg = self.crtsh_config("retries = 1;")
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "www.example.com", "--db", self.db)
        self.assertEqual(p.returncode, 1, p.stderr)
        subs = sorted(self.query("SELECT domain, name FROM subdomains"))
        self.assertEqual(subs, [("example.com", "a.www.example.com"),
                                ("example.com", "b.www.example.com"),
                                ("www.example.com", "a.www.example.com"),
                                ("www.example.com", "b.www.example.com")])
        self.assertEqual(self.query(
            "SELECT count(*) FROM certificates WHERE crtsh_id = 12"), [(0,)])


class Retries(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.serve("example.com", MELOTIC)
        self.start_server()
        self.cfg = self.crtsh_config("retries = 4;")
        self.args = ("--config", self.cfg, "--domains", "example.com",
                     "--db", self.db)

    def stored(self):
        return self.query("SELECT count(*) FROM certificates")[0][0]

    def test_429_with_retry_after_then_success(self):
        self.server.ctl("fault=429&count=2&retry_after=1")
        cfg = self.crtsh_config("retries = 4;", max_backoff_ms=5000)
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db, check=0)
        self.assertEqual(len(self.server.requests()), 3)
        self.assertGreater(self.stored(), 0)
        self.assertIn("429", p.stderr)
        times = [r["time"] for r in self.server.requests()]
        # Retry-After: 1 was honoured between attempts.
        self.assertGreaterEqual(times[1] - times[0], 0.9)

    def test_5xx_then_truncated_then_success(self):
        self.server.ctl("fault=503&count=1")
        self.server.ctl("fault=truncate&count=1")
        self.run_ctmon(*self.args, check=0)
        self.assertEqual(len(self.server.requests()), 3)
        self.assertEqual(self.stored(), 20)

    def test_retries_are_bounded(self):
        self.server.ctl("fault=503&count=10")
        p = self.run_ctmon(*self.args)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(self.server.requests()), 4)


class RowCap(CtmonTestCase):
    def test_truncation_warning(self):
        self.start_server()
        self.server.ctl("big=3000&domain=big.test")
        p = self.run_ctmon("--config", self.crtsh_config(), "--domains",
                           "big.test", "--db", self.db, check=0)
        self.assertIn("truncated", p.stderr)
        self.assertIn("10000", p.stderr)

    def test_no_warning_for_small_answers(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        p = self.run_ctmon("--config", self.crtsh_config(), "--domains",
                           "example.com", "--db", self.db, check=0)
        self.assertNotIn("truncated", p.stderr)


class RateLimit(CtmonTestCase):
    def test_one_process_wide_limit(self):
        for d in ("a.test", "b.test", "c.test", "d.test"):
            self.serve(d, [])
        self.start_server()
        cfg = self.crtsh_config("rate_per_minute = 60.0; burst = 1;")
        self.run_ctmon("--config", cfg, "--domains", "a.test", "b.test",
                       "c.test", "d.test", "--db", self.db, check=0)
        times = sorted(r["time"] for r in self.server.requests())
        self.assertEqual(len(times), 4)
        # 60/min with a burst of 1: at least ~1 s between requests.
        self.assertGreaterEqual(times[-1] - times[0], 2.7)


if __name__ == "__main__":
    unittest.main()
