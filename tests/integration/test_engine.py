"""The cycle: baseline rule, exactly-once notification, continuous mode,
signals, and a process killed mid-cycle."""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import BINARY, CtmonTestCase, fixture, load_json, read_text

MELOTIC = fixture("melotic-enum.land__tests_data_crtsh.json")


def row(cid, names, serial, ca=185756):
    return {"issuer_ca_id": ca,
            "issuer_name": "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA "
                           "SHA256 2020 CA1",
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": "2026-11-20T01:02:03.4",
            "not_before": "2026-11-20T00:00:00",
            "not_after": "2027-11-20T00:00:00", "serial_number": serial}


def jsonl(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.strip()]


class Baseline(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.serve("example.com", MELOTIC)
        self.start_server()

    def cycle(self, extra=""):
        cfg = self.crtsh_config(extra='notifiers = ( { plugin = "stdout"; '
                                'config = { format = "jsonl"; }; } );\n' +
                                extra)
        return self.run_ctmon("--config", cfg, "--domains", "example.com",
                              "--db", self.db, check=0)

    def test_first_cycle_is_stored_not_sent(self):
        p = self.cycle()
        self.assertEqual(jsonl(p.stdout), [])
        stored = self.query("SELECT count(*), min(baseline) FROM alerts")[0]
        self.assertGreater(stored[0], 0)
        self.assertEqual(stored[1], 1)
        self.assertEqual(self.query("SELECT count(*) FROM outbox"), [(0,)])

    def test_notify_baseline_sends_them(self):
        p = self.cycle("notify_baseline = true;")
        sent = jsonl(p.stdout)
        self.assertEqual(len(sent),
                         self.query("SELECT count(*) FROM alerts")[0][0])
        self.assertTrue(all(a["baseline"] for a in sent))

    def test_second_cycle_news_sent_exactly_once(self):
        self.cycle()
        rows = load_json(MELOTIC)
        rows.append(row(9001, ["fresh.example.com"], "77"))
        rows.append(row(9002, ["fresh.example.com"], "77"))  # final cert
        self.serve("example.com", rows)
        p = self.cycle()
        sent = jsonl(p.stdout)
        self.assertEqual([(a["type"], a["key"]) for a in sent],
                         [("new_subdomain", "fresh.example.com")])
        self.assertFalse(sent[0]["baseline"])
        details = sent[0]["details"]
        self.assertEqual(sorted(details["issuance"]["crtsh_ids"]),
                         [9001, 9002])
        # Third cycle: nothing new, nothing re-sent.
        p = self.cycle()
        self.assertEqual(jsonl(p.stdout), [])
        self.assertEqual(self.query(
            "SELECT count(*) FROM outbox WHERE status='delivered'"), [(1,)])

    def test_failed_first_cycle_stays_baseline(self):
        self.server.ctl("fault=503&count=10")
        cfg = self.crtsh_config("retries = 1;", extra=(
            'notifiers = ( { plugin = "stdout"; config = { format = '
            '"jsonl"; }; } );\n'))
        p = self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "--db", self.db)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.query(
            "SELECT baselined_at IS NULL FROM domains"), [(1,)])
        # crt.sh back: this is still the baseline, so nothing is sent.
        self.server.get("/_reset")
        p = self.cycle()
        self.assertEqual(jsonl(p.stdout), [])
        self.assertEqual(self.query(
            "SELECT baselined_at IS NOT NULL FROM domains"), [(1,)])


class Continuous(CtmonTestCase):
    def start(self, cfg, *extra):
        return subprocess.Popen(
            [BINARY, "--config", cfg, "--db", self.db, "--continuous",
             "--interval", "1", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_requests(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.server.requests()) >= n:
                return
            time.sleep(0.1)
        self.fail("server saw fewer than %d requests" % n)

    def test_sigterm_stops_cleanly(self):
        self.serve("example.com", MELOTIC)
        self.start_server()
        proc = self.start(self.crtsh_config(), "--domains", "example.com")
        self.wait_requests(2)  # two cycles ran
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped", err)
        self.assertGreater(self.query("SELECT count(*) FROM certificates")
                           [0][0], 0)

    def test_sighup_reloads_configuration(self):
        self.serve("example.com", MELOTIC)
        self.serve("example.org", [row(5, ["www.example.org"], "05")])
        self.start_server()
        cfg = self.crtsh_config(extra='domains = [ "example.com" ];')
        proc = self.start(cfg)
        self.wait_requests(1)
        # The file now monitors example.org too.
        body = read_text(cfg).replace('[ "example.com" ]',
                                        '[ "example.com", "example.org" ]')
        with open(cfg, "w") as f:
            f.write(body)
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            qs = [r["query"] for r in self.server.requests()]
            if any("example.org" in q for q in qs):
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        self.assertIn("reloading", err)
        self.assertEqual(self.query(
            "SELECT count(*) FROM certificates WHERE crtsh_id = 5"), [(1,)])


class Killed(CtmonTestCase):
    def test_kill_mid_cycle_loses_and_duplicates_nothing(self):
        self.serve("example.com", MELOTIC)
        self.serve("example.net", [row(7, ["a.example.net"], "07")])
        self.start_server()
        cfg = self.crtsh_config("timeout = 30;")
        args = ["--config", cfg, "--domains", "example.net", "example.com",
                "--db", self.db]
        # example.net answers at once; example.com stalls mid-body.
        self.server.ctl("fault=slow&count=1&delay=0")  # answers normally
        self.server.ctl("fault=stall&count=1&delay=10")
        proc = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while len(self.server.requests()) < 2 and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.kill()
        proc.communicate()
        # The cycle never committed: nothing of it is in the store.
        if os.path.exists(self.db):
            self.assertEqual(self.query("SELECT count(*) FROM certificates"),
                             [(0,)])
        self.server.get("/_reset")
        self.run_ctmon(*args, check=0)
        ids = [r[0] for r in self.query(
            "SELECT crtsh_id FROM certificates ORDER BY crtsh_id")]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertIn(7, ids)
        self.assertEqual(len(ids), 21)


if __name__ == "__main__":
    unittest.main()
