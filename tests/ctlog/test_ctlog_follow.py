"""The real ctmon binary following tests/servers/ctlog_server.py (both
protocols) across restarts: nothing missed, nothing stored twice,
precert/final pairs as one issuance, unparsable entries and misbehaving
logs raised as alerts, 429 + Retry-After and short responses survived.
Only 127.0.0.1 is contacted."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "integration"))
from harness import CtmonTestCase, SOURCE_DIR, read_text  # noqa: E402

SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "ctlog_server.py")


class CtlogServer:
    def __init__(self, tmp, *args):
        port_file = os.path.join(tmp, "ctlog.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--port-file", port_file, *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ctlog server did not start: " +
                                   self.proc.stderr.read().decode())
            time.sleep(0.05)
        self.base = "http://127.0.0.1:%d" % int(read_text(port_file))
        self.info = json.loads(self.get("/_info"))

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return r.read()

    def ctl(self, q):
        self.get("/_ctl?" + q)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()


class CtlogFollow(CtmonTestCase):
    def start_log(self, *args):
        self.log = CtlogServer(self.tmp, *args)
        self.addCleanup(self.log.stop)
        return self.log

    def config(self, protos=("rfc6962", "static"), start_index=0,
               extra=""):
        i = self.log.info
        logs = []
        if "rfc6962" in protos:
            logs.append('{ name = "local-rfc6962"; url = "%s"; key = "%s"; }'
                        % (i["rfc6962_url"], i["rfc6962_key"]))
        if "static" in protos:
            logs.append('{ name = "local-static"; monitoring_url = "%s"; '
                        'submission_url = "%s"; key = "%s"; }'
                        % (i["static_monitoring_url"],
                           i["static_submission_url"], i["static_key"]))
        return self.write_config(
            'database = "%s";\ndomains = [ "example.com" ];\n'
            'resolve_dns = false;\n'  # tests never ask system resolvers
            'sources = ( { plugin = "ctlog"; config = { start_index = %d; '
            'batch_size = 10; jobs = 3; backoff_ms = 50; %s logs = ( %s ); '
            '}; } );\nnotifiers = ( { plugin = "stdout"; config = { '
            'format = "jsonl"; }; } );\n'
            % (self.db, start_index, extra, ", ".join(logs)))

    def certs(self):
        return self.query("SELECT log_id, log_index, is_precert FROM "
                          "certificates ORDER BY log_id, log_index")

    def alerts(self, type_):
        return self.query("SELECT alert_key, details FROM alerts WHERE type = ?",
                          type_)

    def expected_matches(self, size):
        # Entry i is named n<i>.<example.com|other.test>; with
        # --pair-every 4 entry 4k is a precert and 4k+1 its final cert,
        # named after 4k.
        out = set()
        for i in range(size):
            owner = i - 1 if i % 4 == 1 else i
            if owner % 2 == 0 and i not in (6,):
                out.add(i)
        return out

    def test_rfc6962_follow_across_restarts(self):
        self.start_log("--entries", "30", "--pair-every", "4",
                       "--unparsable", "6", "--max-batch", "7")
        cfg = self.config(protos=("rfc6962",))
        self.run_ctmon("--config", cfg, check=0)
        rows = self.certs()
        self.assertEqual({r[1] for r in rows}, self.expected_matches(30))
        # Growth across three restarts, with 429s on the way.
        for grow in (13, 1, 40):
            self.log.ctl("grow=%d" % grow)
            self.log.ctl("fail429=2")
            self.run_ctmon("--config", cfg, check=0)
        size = 30 + 13 + 1 + 40
        rows = self.certs()
        idx = [r[1] for r in rows]
        self.assertEqual(len(idx), len(set(idx)), "stored twice")
        self.assertEqual(set(idx), self.expected_matches(size), "missed")
        # One cycle more without growth changes nothing.
        before = self.db_snapshot()["certificates"]
        self.run_ctmon("--config", cfg, check=0)
        self.assertEqual(self.db_snapshot()["certificates"], before)
        # Each precert/final pair is one issuance.
        pairs = self.query(
            "SELECT issuance_id, count(*), sum(is_precert) FROM certificates"
            " GROUP BY issuance_id HAVING count(*) > 1")
        self.assertTrue(pairs)
        self.assertTrue(all(p[1] == 2 and p[2] == 1 for p in pairs))
        # The unparsable entry is an alert with its index.
        bad = self.alerts("ct_log_unparsable_entry")
        self.assertEqual(len(bad), 1)
        self.assertEqual(json.loads(bad[0][1])["index"], 6)
        counts = json.loads(self.log.get("/_log"))
        self.assertGreater(counts.get("/rfcN/ct/vN/get-sth-consistency", 0),
                           0)

    def test_static_follow_and_pairs(self):
        self.start_log("--entries", "300", "--pair-every", "4",
                       "--unparsable", "6")
        cfg = self.config(protos=("static",))
        self.run_ctmon("--config", cfg, check=0)
        self.log.ctl("grow=222")
        self.run_ctmon("--config", cfg, check=0)
        idx = [r[1] for r in self.certs()]
        self.assertEqual(len(idx), len(set(idx)))
        self.assertEqual(set(idx), self.expected_matches(522))
        self.assertEqual(len(self.alerts("ct_log_unparsable_entry")), 1)
        counts = json.loads(self.log.get("/_log"))
        self.assertGreater(counts.get("/static/tile/data/N", 0), 0)
        self.assertGreater(counts.get("/static/tile/data/N.p/N", 0), 0)

    def test_start_at_head(self):
        self.start_log("--entries", "50")
        cfg = self.config(start_index=-1)
        self.run_ctmon("--config", cfg, check=0)
        self.assertEqual(self.certs(), [])
        self.log.ctl("grow=10")
        self.run_ctmon("--config", cfg, check=0)
        idx = sorted({r[1] for r in self.certs()})
        self.assertEqual(idx, [i for i in range(50, 60) if i % 2 == 0])

    def test_misbehaving_logs(self):
        self.start_log("--entries", "20")
        cfg = self.config()
        self.run_ctmon("--config", cfg, check=0)
        self.log.ctl("mode=bad_sig&grow=5")
        self.run_ctmon("--config", cfg, check=0)
        mis = self.alerts("ct_log_misbehaviour")
        self.assertEqual(len(mis), 2)
        self.assertTrue(all(json.loads(d)["reason"] == "bad signature"
                            for _, d in mis))
        # Not trusted further, even when it behaves again.
        self.log.ctl("mode=normal")
        before = len(self.certs())
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("misbehaved", p.stderr)
        self.assertEqual(len(self.certs()), before)

    def test_inconsistent_tree(self):
        self.start_log("--entries", "20")
        cfg = self.config()
        self.run_ctmon("--config", cfg, check=0)
        self.log.ctl("mode=inconsistent&grow=7")
        self.run_ctmon("--config", cfg, check=0)
        mis = self.alerts("ct_log_misbehaviour")
        self.assertEqual(len(mis), 2)
        self.assertTrue(all(json.loads(d)["reason"] == "inconsistent tree"
                            for _, d in mis))

    def test_extra_entries(self):
        self.start_log("--entries", "20")
        cfg = self.config(protos=("rfc6962",))
        self.log.ctl("mode=extra_entries")
        self.run_ctmon("--config", cfg)
        mis = self.alerts("ct_log_misbehaviour")
        self.assertEqual(len(mis), 1)
        self.assertEqual(json.loads(mis[0][1])["reason"],
                         "entries past the signed size")

    def test_log_list_file(self):
        self.start_log("--entries", "12")
        i = self.log.info
        lst = {"version": "1", "operators": [{"name": "test", "logs": [
            {"description": "listed", "key": i["rfc6962_key"],
             "log_id": i["rfc6962_log_id"], "url": i["rfc6962_url"],
             "mmd": 86400, "state": {"usable": {"timestamp": "x"}}},
            {"description": "retired one", "key": i["static_key"],
             "url": i["static_monitoring_url"], "mmd": 86400,
             "state": {"retired": {"timestamp": "x"}}}],
            "tiled_logs": [
            {"description": "listed static", "key": i["static_key"],
             "log_id": i["static_log_id"],
             "monitoring_url": i["static_monitoring_url"],
             "submission_url": i["static_submission_url"], "mmd": 60,
             "state": {"qualified": {"timestamp": "x"}}}]}]}
        path = os.path.join(self.tmp, "list.json")
        with open(path, "w") as f:
            json.dump(lst, f)
        cfg = self.write_config(
            'database = "%s";\ndomains = [ "example.com" ];\n'
            'resolve_dns = false;\n'  # tests never ask system resolvers
            'sources = ( { plugin = "ctlog"; config = { start_index = 0; '
            'log_list = "%s"; }; } );\n' % (self.db, path))
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("following 2 logs", p.stderr)
        self.assertEqual({r[1] for r in self.certs()}, {0, 2, 4, 6, 8, 10})
        counts = json.loads(self.log.get("/_log"))
        self.assertGreater(counts.get("/static/checkpoint", 0), 0)
        self.assertGreater(counts.get("/rfcN/ct/vN/get-sth", 0), 0)


if __name__ == "__main__":
    unittest.main()
