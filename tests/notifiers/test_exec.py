"""The exec notifier through the real binary: the probe program
(exec_probe.c) gets the batch as JSON on stdin and a summary in its
environment; a failing program keeps the alerts queued across restarts
until it succeeds, then each is handed over exactly once."""
import json
import os
import unittest

from notif_case import EXEC_PROBE, T0, NotifierCase, hostile_rows, plain_rows


def exec_notifier(out_dir, code=0, extra=""):
    return ('{ plugin = "exec"; config = { command = "%s"; args = [ "%s", '
            '"%d" ]; %s }; }' % (EXEC_PROBE, out_dir, code, extra))


class Exec(NotifierCase):
    rows = plain_rows(2) + hostile_rows()

    def setUp(self):
        super().setUp()
        self.assertTrue(os.access(EXEC_PROBE, os.X_OK),
                        "CTM_EXEC_PROBE must name the built probe")
        self.out = os.path.join(self.tmp, "probe")
        os.mkdir(self.out)

    def runs(self):
        return len([f for f in os.listdir(self.out) if f.endswith(".pid")])

    def read(self, n, ext):
        with open(os.path.join(self.out, "%d.%s" % (n, ext))) as f:
            return f.read()

    def env(self, n):
        return dict(l.split("=", 1) for l in self.read(n, "env")
                    .splitlines() if "=" in l)

    def test_batch_on_stdin_summary_in_environment(self):
        p = self.cycle(self.config(exec_notifier(self.out)),
                       env={"CTMON_SMTP_PASS": "keep-me-secret"}, check=0)
        self.assertEqual(self.runs(), 1)
        doc = json.loads(self.read(1, "stdin"))
        alerts = self.alerts()
        self.assertEqual(sorted(a["id"] for a in doc["alerts"]),
                         sorted(alerts))
        self.assertEqual(doc["count"], len(alerts))
        env = self.env(1)
        self.assertEqual(env["CTMON_ALERT_COUNT"], str(len(alerts)))
        self.assertEqual(env["CTMON_ALERT_IDS"],
                         " ".join(str(i) for i in sorted(alerts)))
        self.assertEqual(env["CTMON_DOMAINS"], "example.com")
        self.assertEqual(env["CTMON_EVENT"], "alerts")
        self.assertNotIn("CTMON_SMTP_PASS", env)
        self.assertNotIn("keep-me-secret", self.read(1, "env"))
        self.assertNotIn("keep-me-secret", p.stderr)
        self.assertEqual(self.statuses(), {"delivered": len(alerts)})

    def test_single_alert_variables_are_inert(self):
        # Only the hostile certificate is new in the second cycle.
        self.serve("example.com", [])
        cfg = self.config(exec_notifier(self.out))
        self.cycle(cfg, check=0)
        self.serve("example.com", hostile_rows())
        self.cycle(cfg, T0 + 60, check=0)
        env = self.env(1)
        self.assertEqual(env["CTMON_ALERT_COUNT"], "1")
        issuer = env["CTMON_ISSUER"]
        for c in "$`\"';&|<>(){}!\r":
            self.assertNotIn(c, issuer)
        self.assertIn("CN=Evil\\x0d\\x0aBcc: victim@example.com", issuer)
        self.assertIn("\\x24\\x28touch /tmp/ctmon-pwned\\x29", issuer)
        self.assertEqual(env["CTMON_NAMES"], "evil.example.com")
        self.assertEqual(env["CTMON_CRTSH_IDS"], "900")
        self.assertFalse(os.path.exists("/tmp/ctmon-pwned"))

    def test_failures_retried_until_success_then_once(self):
        failing = self.config(exec_notifier(self.out, code=1))
        p = self.cycle(failing, T0)
        self.assertEqual(p.returncode, 1)
        self.assertIn("exited with status 1: probe says bye", p.stderr)
        self.assertEqual(self.statuses(), {"pending": 3})
        # Another process, still failing, once the backoff has passed.
        nxt = self.outbox()[0][4]
        self.cycle(failing, nxt)
        self.assertEqual(self.runs(), 2)
        working = self.config(exec_notifier(self.out, code=0))
        self.cycle(working, nxt + 10)  # not due yet
        self.assertEqual(self.runs(), 2)
        self.cycle(working, self.outbox()[0][4], check=0)
        self.cycle(working, T0 + 86400, check=0)
        self.assertEqual(self.runs(), 3)
        doc = json.loads(self.read(3, "stdin"))
        self.assertEqual(sorted(a["id"] for a in doc["alerts"]),
                         sorted(self.alerts()))
        self.assertEqual(self.statuses(), {"delivered": 3})

    def test_exit_100_is_permanent(self):
        p = self.cycle(self.config(exec_notifier(self.out, code=100)), T0)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.statuses(), {"failed": 3})
        self.cycle(self.config(exec_notifier(self.out, code=0)),
                   T0 + 86400, check=0)
        self.assertEqual(self.runs(), 1)


if __name__ == "__main__":
    unittest.main()
