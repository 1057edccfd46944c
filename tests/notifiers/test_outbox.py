"""The outbox across restarts: exponential backoff from each row's
attempts (30 s doubling, capped at 6 h, up to a quarter of jitter),
notifiers that fail independently, and --outbox showing what waits and
what failed, with why."""
import os
import sqlite3
import unittest

from notif_case import EXEC_PROBE, T0, NotifierCase, plain_rows, row
from harness import WebhookReceiver


class Backoff(NotifierCase):
    rows = plain_rows(2)

    def test_doubles_then_caps(self):
        receiver = WebhookReceiver(self.tmp)
        receiver.stop()  # down for the whole test
        cfg = self.config('{ plugin = "webhook"; config = { url = "%s"; '
                          'retries = 1; }; }' % receiver.url)
        now = T0
        for attempt in range(5):
            self.cycle(cfg, now)
            rows = self.outbox()
            self.assertEqual({r[3] for r in rows}, {attempt + 1})
            # Alerts that failed together stay together.
            self.assertEqual(len({r[4] for r in rows}), 1)
            delay = rows[0][4] - now
            full = 30 * 2 ** attempt
            self.assertTrue(full * 3 // 4 <= delay <= full,
                            (attempt, delay))
            now = rows[0][4]
        # Many failures later the wait stops growing at 6 hours.
        con = sqlite3.connect(self.db)
        con.execute("UPDATE outbox SET attempts = 40")
        con.commit()
        con.close()
        self.cycle(cfg, now)
        delay = self.outbox()[0][4] - now
        self.assertTrue(6 * 3600 * 3 // 4 <= delay <= 6 * 3600, delay)


class SeveralCyclesOfOutage(NotifierCase):
    rows = plain_rows(3)

    def test_alerts_of_every_cycle_delivered_once(self):
        receiver = WebhookReceiver(self.tmp)
        try:
            receiver.stop()
            cfg = self.config('{ plugin = "webhook"; config = { url = "%s"; '
                              'retries = 1; }; }' % receiver.url)
            self.cycle(cfg, T0)
            # More news while the receiver is still down.
            self.serve("example.com", plain_rows(5))
            self.cycle(cfg, T0 + 10)
            self.assertEqual(self.statuses(), {"pending": 5})
            receiver.start()
            self.cycle(cfg, T0 + 600, check=0)
            self.cycle(cfg, T0 + 7200, check=0)
            sent = [a["id"] for r in receiver.delivered()
                    for a in r["json"]["alerts"]]
            self.assertEqual(len(receiver.delivered()), 1)
            self.assertEqual(sorted(sent), sorted(self.alerts()))
            self.assertEqual(len(sent), 5)
            self.assertEqual(self.statuses(), {"delivered": 5})
        finally:
            receiver.stop()


class Filters(NotifierCase):
    rows = plain_rows(1) + [row(500, ["*.w.example.com", "w.example.com"],
                                "0500")]

    def test_each_notifier_gets_what_its_filters_match(self):
        self.serve("other.test", [row(600, ["x.other.test"], "0600")])
        receiver = WebhookReceiver(self.tmp)
        try:
            base = "http://127.0.0.1:%d/" % receiver.port
            cfg = self.config(", ".join(
                '{ plugin = "webhook"; id = "%s"; %s config = { url = '
                '"%s%s"; retries = 1; }; }' % (i, f, base, i) for i, f in (
                    ("high", 'min_severity = "high";'),
                    ("types", 'types = [ "new_subdomain" ];'),
                    ("other", 'domains = [ "other.test" ];'))))
            self.run_ctmon("--config", cfg, "--domains", "example.com",
                           "other.test", "--db", self.db,
                           env={"CTMON_NOW": str(T0)}, check=0)
            got = {}
            for r in receiver.delivered():
                got[r["path"]] = sorted((a["type"], a["domain"], a["key"])
                                        for a in r["json"]["alerts"])
            self.assertEqual([a[:2] for a in got["/high"]], [
                ("wildcard_certificate", "example.com")])
            self.assertEqual(got["/types"], [
                ("new_subdomain", "example.com", "h1.example.com"),
                ("new_subdomain", "example.com", "w.example.com"),
                ("new_subdomain", "other.test", "x.other.test")])
            self.assertEqual(got["/other"], [
                ("new_subdomain", "other.test", "x.other.test")])
            self.assertEqual(len(receiver.delivered()), 3)
        finally:
            receiver.stop()


class Independent(NotifierCase):
    rows = plain_rows(2)

    def test_one_notifier_down_does_not_hold_the_other(self):
        receiver = WebhookReceiver(self.tmp)
        out = os.path.join(self.tmp, "probe")
        os.mkdir(out)
        try:
            receiver.ctl("fault=500&count=100")
            cfg = self.config(
                '{ plugin = "webhook"; config = { url = "%s"; retries = 1; '
                '}; }, { plugin = "exec"; config = { command = "%s"; '
                'args = [ "%s", "0" ]; }; }' % (receiver.url, EXEC_PROBE,
                                                  out))
            p = self.cycle(cfg, T0)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(self.statuses("exec"), {"delivered": 2})
            self.assertEqual(self.statuses("webhook"), {"pending": 2})
            out_text = self.run_ctmon("--db", self.db, "--outbox",
                                      check=0).stdout
            lines = out_text.splitlines()
            self.assertIn("NEXT ATTEMPT", lines[0])
            pending = [l for l in lines if " pending " in l]
            self.assertEqual(len(pending), 2)
            for l in pending:
                self.assertIn("webhook", l)
                self.assertIn("new_subdomain", l)
                self.assertIn("HTTP 500: internal error", l)
                self.assertIn("2026-11-20T00:00:", l)
            self.assertIn("exec: 2 delivered", out_text)
            self.assertIn("webhook: 2 pending", out_text)
        finally:
            receiver.stop()

    def test_nothing_waiting(self):
        out = os.path.join(self.tmp, "probe")
        os.mkdir(out)
        cfg = self.config('{ plugin = "exec"; config = { command = "%s"; '
                          'args = [ "%s", "0" ]; }; }' % (EXEC_PROBE, out))
        self.cycle(cfg, T0, check=0)
        text = self.run_ctmon("--db", self.db, "--outbox", check=0).stdout
        self.assertIn("(nothing pending or failed)", text)
        self.assertIn("exec: 2 delivered", text)


if __name__ == "__main__":
    unittest.main()
