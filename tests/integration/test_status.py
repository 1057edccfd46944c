"""Per-source status (issue 7 item 5): a CT log's backlog (head - cursor)
and crt.sh's last search, as `ctmon --status` shows them and as the
report's "sources" carries them.  The real binary against
tests/servers/ctlog_server.py and tests/servers/crtsh_server.py; only
127.0.0.1 is contacted."""
import json
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ctlog"))
from harness import CtmonTestCase, load_json  # noqa: E402
from test_ctlog_follow import CtlogServer  # noqa: E402

LOG = "local-rfc6962"


def crtsh_row(cid, name, serial):
    return {"issuer_ca_id": 185756,
            "issuer_name": "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA "
                           "SHA256 2020 CA1",
            "common_name": name, "name_value": name, "id": cid,
            "entry_timestamp": "2023-10-01T01:02:03.4",
            "not_before": "2023-10-01T00:00:00",
            "not_after": "2024-10-01T00:00:00", "serial_number": serial,
            "result_count": 1}


class CtlogBacklog(CtmonTestCase):
    ENTRIES = 45
    PER_CYCLE = 20

    def setUp(self):
        super().setUp()
        self.log = CtlogServer(self.tmp, "--entries", str(self.ENTRIES),
                               "--no-static")
        self.addCleanup(self.log.stop)
        self.report = os.path.join(self.tmp, "report.json")
        i = self.log.info
        self.cfg = self.write_config(
            'database = "%s";\ndomains = [ "example.com" ];\n'
            'resolve_dns = false;\n'
            'sources = ( { plugin = "ctlog"; id = "ct-main"; config = { '
            'start_index = 0; batch_size = 5; jobs = 2; backoff_ms = 50; '
            'max_entries_per_cycle = %d; logs = ( { name = "%s"; '
            'url = "%s"; key = "%s"; } ); }; } );\n'
            'notifiers = ( { plugin = "stdout"; config = { '
            'format = "jsonl"; }; } );\n'
            % (self.db, self.PER_CYCLE, LOG, i["rfc6962_url"],
               i["rfc6962_key"]))

    def cycle(self):
        t0 = int(time.time())
        self.run_ctmon("--config", self.cfg, "--report", self.report,
                       check=0)
        return t0

    def status_text(self):
        return self.run_ctmon("--config", self.cfg, "--status",
                              check=0).stdout

    def report_status(self):
        rep = load_json(self.report)
        self.assertEqual(list(rep)[:4],
                         ["generated_at", "generator", "domains", "sources"])
        ids = [s["id"] for s in rep["sources"]]
        self.assertEqual(ids, ["ct-main"])
        src = rep["sources"][0]
        self.assertEqual(list(src), ["id", "status", "cursors"])
        self.assertEqual(list(src["status"]), [LOG])
        # The cursor is the ctlog plugin's own text; one per log.
        self.assertEqual(len(src["cursors"]), 1)
        self.assertTrue(list(src["cursors"].values())[0].startswith("v1 "))
        return src["status"][LOG]

    def status_line(self, text):
        lines = [ln for ln in text.splitlines()
                 if ln.strip().startswith(LOG + ":")]
        self.assertEqual(len(lines), 1, text)
        return lines[0]

    def test_backlog_shrinks_over_cycles_then_follows_growth(self):
        size = self.log.info["size"]
        self.assertEqual(size, self.ENTRIES)
        t0 = self.cycle()
        st = self.report_status()
        self.assertEqual(st["head"], size)
        self.assertEqual(st["cursor"], self.PER_CYCLE)
        self.assertEqual(st["backlog"], size - self.PER_CYCLE)
        self.assertIs(st["trusted"], True)
        self.assertEqual(st["url"], self.log.info["rfc6962_url"])
        self.assertGreaterEqual(st["updated_at"], t0)
        self.assertLessEqual(st["updated_at"], int(time.time()) + 1)
        self.assertGreaterEqual(st["entries_per_s"], 0)
        text = self.status_text()
        line = self.status_line(text)
        self.assertIn("BACKLOG %d" % (size - self.PER_CYCLE), line)
        shown = json.loads(line[line.index("{"):line.rindex("}") + 1])
        self.assertEqual(shown["head"], size)
        self.assertEqual(shown["cursor"], self.PER_CYCLE)
        self.assertRegex(text, r"(?m)^sources:\n  ct-main\n")
        self.assertRegex(text, r"(?m)^    cursor log:\S+ = v1 ")
        m = re.search(r"(?m)^  example\.com  baselined_at (\S+)  "
                      r"issuances (\d+)  subdomains (\d+)  "
                      r"open alerts (\d+)$", text)
        self.assertIsNotNone(m, text)
        # Entry i is n<i>.example.com for even i: 10 of the first 20.
        self.assertEqual(int(m.group(2)), 10)
        self.assertEqual(int(m.group(2)), self.query(
            "SELECT count(*) FROM issuances")[0][0])
        self.assertEqual(int(m.group(3)), self.query(
            "SELECT count(*) FROM subdomains")[0][0])
        self.assertEqual(int(m.group(4)), self.query(
            "SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL"
        )[0][0])
        self.assertIn("outbox (pending and failed deliveries):", text)

        self.cycle()
        st = self.report_status()
        self.assertEqual((st["cursor"], st["backlog"]),
                         (2 * self.PER_CYCLE, size - 2 * self.PER_CYCLE))
        self.cycle()
        st = self.report_status()
        self.assertEqual((st["head"], st["cursor"], st["backlog"]),
                         (size, size, 0))
        self.assertIn("BACKLOG 0", self.status_line(self.status_text()))
        # Growth: the head moves, the backlog is read within the cycle.
        self.log.ctl("grow=7")
        self.cycle()
        st = self.report_status()
        self.assertEqual((st["head"], st["cursor"], st["backlog"]),
                         (size + 7, size + 7, 0))
        # Spread over four cycles, nothing was missed or stored twice.
        idx = [r[0] for r in self.query(
            "SELECT log_index FROM certificates ORDER BY log_index")]
        self.assertEqual(idx, [i for i in range(size + 7) if i % 2 == 0])
        # --status reads the store only: the log server is not needed.
        self.log.stop()
        line = self.status_line(self.status_text())
        self.assertIn("BACKLOG 0", line)
        self.assertIn('"head": %d' % (size + 7), line)


class CrtshStatus(CtmonTestCase):
    def test_crtsh_status_per_domain(self):
        rows = [crtsh_row(101, "a.example.com", "01"),
                crtsh_row(305, "b.example.com", "02"),
                crtsh_row(202, "xexample.com", "03")]
        self.serve("example.com", rows)
        self.start_server()
        cfg = self.crtsh_config()
        report = os.path.join(self.tmp, "report.json")
        t0 = int(time.time())
        self.run_ctmon("--config", cfg, "--domains", "example.com", "--db",
                       self.db, "--report", report, check=0)
        src = load_json(report)["sources"]
        self.assertEqual([s["id"] for s in src], ["crtsh"])
        st = src[0]["status"]["example.com"]
        self.assertEqual(list(st), ["last_query_at", "records", "truncated",
                                    "max_crtsh_id"])
        self.assertEqual(st["records"], 3)
        self.assertIs(st["truncated"], False)
        self.assertEqual(st["max_crtsh_id"], 305)
        self.assertGreaterEqual(st["last_query_at"], t0)
        self.assertLessEqual(st["last_query_at"], int(time.time()) + 1)
        self.assertEqual(src[0]["cursors"], {"example.com": "305"})
        # --status without the server: the same figures from the store.
        self.server.stop()
        self.server = None
        out = self.run_ctmon("--config", cfg, "--db", self.db, "--status",
                             check=0).stdout
        line = [ln for ln in out.splitlines()
                if ln.startswith("    example.com: {")]
        self.assertEqual(len(line), 1, out)
        self.assertNotIn("BACKLOG", line[0])  # crt.sh has no backlog
        shown = json.loads(line[0][line[0].index("{"):
                                   line[0].rindex("}") + 1])
        self.assertEqual(shown, st)
        self.assertIn("    cursor example.com = 305", out)
        self.assertRegex(out, r"(?m)^  example\.com  baselined_at "
                              r"\d{4}-\d\d-\d\dT\S+  issuances 2  "
                              r"subdomains 2  open alerts \d+$")


if __name__ == "__main__":
    unittest.main()
