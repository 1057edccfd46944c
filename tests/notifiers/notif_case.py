"""Shared pieces of the notifier integration tests: crt.sh rows that
raise known alerts (hostile ones included), a test case that runs ctmon
cycles at a chosen time, and readers for the outbox."""
import calendar
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from harness import CtmonTestCase  # noqa: E402

T0 = calendar.timegm((2026, 11, 20, 0, 0, 0))
DAY = 86400
EXEC_PROBE = os.environ.get("CTM_EXEC_PROBE", "")

# An issuer DN as a rogue CA could write it: markup, Slack and markdown
# link syntax, mentions, CR/LF (a forged e-mail header), shell syntax,
# a bidi override and length.
HOSTILE_ISSUER = (
    "CN=Evil\r\nBcc: victim@example.com\r\n\r\nforged \u202ereversed, "
    "O=<script>alert(1)</script> & <b>Evil</b>, "
    "OU=<https://evil.example/|click here> <!channel> <@U123> `x`, "
    "OU=[click](https://evil.example) @everyone **x** ||s||, "
    "OU=$(touch /tmp/ctmon-pwned) `id`, C=XX, "
    + "A" * 3000)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))


def row(cid, names, serial, issuer="C=US, O=Let's Encrypt, CN=R3",
        ca=183267):
    return {"issuer_ca_id": ca, "issuer_name": issuer,
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": iso(T0 - DAY) + ".5",
            "not_before": iso(T0 - DAY), "not_after": iso(T0 + 90 * DAY),
            "serial_number": serial}


def plain_rows(n, start=1):
    """n certificates, each bringing one new subdomain (one alert each)."""
    return [row(100 + i, ["h%d.example.com" % i], "%04x" % (0x100 + i))
            for i in range(start, start + n)]


def hostile_rows():
    return [row(900, ["evil.example.com"], "0bad", HOSTILE_ISSUER, 666)]


class NotifierCase(CtmonTestCase):
    """A crt.sh server for example.com and helpers to run cycles whose
    alerts all go to the notifiers under test (notify_baseline)."""

    rows = None  # set by subclasses or per test before start()

    def setUp(self):
        super().setUp()
        self.serve("example.com", self.rows or plain_rows(3))
        self.start_server()

    def config(self, notifiers, extra=""):
        return self.crtsh_config(extra="notify_baseline = true;\n"
                                 "notifiers = ( %s );\n%s" % (notifiers,
                                                              extra))

    def cycle(self, cfg, now=T0, args=(), env=None, check=None):
        full = {"CTMON_NOW": str(now)}
        if env:
            full.update(env)
        return self.run_ctmon("--config", cfg, "--domains", "example.com",
                              "--db", self.db, *args, env=full, check=check)

    def alerts(self):
        """{id: (type, severity, domain, key)} of the stored alerts."""
        return {r[0]: r[1:] for r in self.query(
            "SELECT id, type, severity, domain, alert_key FROM alerts")}

    def outbox(self, notifier=None):
        sql = ("SELECT alert_id, notifier_id, status, attempts, "
               "next_attempt, last_error FROM outbox")
        if notifier:
            return self.query(sql + " WHERE notifier_id = ? ORDER BY id",
                              notifier)
        return self.query(sql + " ORDER BY id")

    def statuses(self, notifier=None):
        out = {}
        for r in self.outbox(notifier):
            out[r[2]] = out.get(r[2], 0) + 1
        return out
