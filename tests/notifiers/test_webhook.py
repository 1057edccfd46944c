"""The webhook notifier through the real binary against a local receiver
(tests/servers/webhook_receiver.py): each format's payload from a real
cycle, hostile certificate text, and outages - 500, 429 with Retry-After,
timeouts, connection refused, TLS, permanent errors, a batch failing half
way - each ending with every alert delivered exactly once; redirects never
followed; the secret URL never in the log; a stable Idempotency-Key."""
import json
import os
import unittest
import urllib.parse

from notif_case import T0, NotifierCase, hostile_rows, plain_rows
from harness import WebhookReceiver, make_tls_cert


def webhook(url, fmt="generic", extra="", instance="", retries=1):
    return ('{ plugin = "webhook"; %s config = { url = "%s"; format = "%s"; '
            'retries = %d; %s }; }' % (instance, url, fmt, retries, extra))


def acked_ids(text):
    """Alert ids named by "ctmon --ack N" in a payload."""
    out = []
    parts = text.split("ctmon --ack ")
    for p in parts[1:]:
        digits = ""
        for c in p:
            if not c.isdigit():
                break
            digits += c
        out.append(int(digits))
    return out


class Formats(NotifierCase):
    rows = plain_rows(2) + hostile_rows()

    def setUp(self):
        super().setUp()
        self.receiver = None

    def tearDown(self):
        if self.receiver:
            self.receiver.stop()
        super().tearDown()

    def deliver_as(self, fmt, status=200):
        self.receiver = WebhookReceiver(self.tmp, status=status)
        cfg = self.config(webhook(self.receiver.url, fmt))
        self.cycle(cfg, check=0)
        got = self.receiver.delivered()
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["headers"]["Content-Type"],
                         "application/json")
        self.assertIn("ctmon", got[0]["headers"]["User-Agent"])
        self.assertTrue(got[0]["utf8"])
        self.assertIsNotNone(got[0]["json"], got[0]["body"][:300])
        self.assertEqual(self.statuses(), {"delivered": len(self.alerts())})
        # Every format carries each alert's identity: its id and key
        # (plain keys here; hostile text is escaped for the platform).
        self.assertRegex(got[0]["headers"].get("Idempotency-Key", ""),
                         r"^ctmon-\d+-\d+-[0-9a-f]{16}$")
        text = json.dumps(got[0]["json"])
        for aid, (_, _, domain, key) in self.alerts().items():
            self.assertIn("%d" % aid, got[0]["body"])
            if domain != "evil.example.com":
                self.assertIn(json.dumps(key)[1:-1], text, fmt)
        return got[0]["json"], got[0]["body"]

    def hostile_id(self):
        return [i for i, a in self.alerts().items()
                if a[3] == "evil.example.com"][0]

    def test_slack(self):
        doc, _ = self.deliver_as("slack")
        alerts = self.alerts()
        self.assertEqual(len(doc["blocks"]), 1 + len(alerts))
        self.assertEqual(doc["blocks"][0]["type"], "header")
        self.assertIn("%d new certificate alerts" % len(alerts),
                      doc["blocks"][0]["text"]["text"])
        texts = [b["text"]["text"] for b in doc["blocks"][1:]]
        self.assertEqual(sorted(i for t in texts for i in acked_ids(t)),
                         sorted(alerts))
        evil = [t for t in texts if "evil.example.com" in t][0]
        # Only our crt.sh links; markup, mentions and links are inert.
        for i, c in enumerate(evil):
            if c == "<":
                self.assertTrue(evil.startswith("<https://crt.sh/?id=", i))
            if c == "&":
                self.assertRegex(evil[i:i + 5], r"^&(amp|lt|gt);")
        self.assertIn("&lt;script&gt;", evil)
        self.assertIn("&lt;!channel&gt;", evil)
        self.assertIn("Evil\\x0d\\x0aBcc", evil)
        self.assertNotIn("\nBcc", evil)
        self.assertNotIn("\u202e", evil)
        self.assertLessEqual(len(evil), 3000)
        self.assertIn("<https://crt.sh/?id=900|900>", evil)

    def test_teams(self):
        doc, _ = self.deliver_as("teams")
        card = doc["attachments"][0]
        self.assertEqual(card["contentType"],
                         "application/vnd.microsoft.card.adaptive")
        self.assertEqual(card["content"]["type"], "AdaptiveCard")
        body = card["content"]["body"]
        self.assertEqual(len(body), 1 + len(self.alerts()))
        evil = json.dumps([c for c in body[1:]
                           if "evil.example.com" in json.dumps(c)][0])
        facts = {f["title"]: f["value"] for c in body[1:] for i in c["items"]
                 if i["type"] == "FactSet" for f in i["facts"]
                 if "evil" in json.dumps(c)}
        self.assertNotIn("[click](", facts["Issuer"])
        self.assertIn("\\[click\\]\\(https\\:", facts["Issuer"])
        self.assertNotIn("@everyone", facts["Issuer"].replace(
            "\\@everyone", ""))
        self.assertNotIn("\r", evil)
        self.assertIn("https://crt.sh/?id=900", evil)

    def test_discord(self):
        doc, _ = self.deliver_as("discord", status=204)
        self.assertEqual(doc["allowed_mentions"], {"parse": []})
        self.assertEqual(len(doc["embeds"]), len(self.alerts()))
        evil = [e for e in doc["embeds"]
                if any(f["value"] == "evil.example.com"
                       for f in e["fields"])][0]
        issuer = [f["value"] for f in evil["fields"]
                  if f["name"] == "Issuer"][0]
        self.assertLessEqual(len(issuer), 1024)
        self.assertNotIn("[click](", issuer)
        self.assertNotIn("||s||", issuer)
        self.assertIn("\\@everyone", issuer)
        links = [f["value"] for f in evil["fields"] if f["name"] == "crt.sh"]
        self.assertEqual(links, ["[900](https://crt.sh/?id=900)"])

    def test_generic(self):
        doc, raw = self.deliver_as("generic")
        self.assertNotIn("<", raw)  # safe inside HTML: \u003c
        self.assertEqual(doc["source"], "ctmon")
        self.assertEqual(doc["version"], 1)
        alerts = self.alerts()
        self.assertEqual(doc["count"], len(alerts))
        for a in doc["alerts"]:
            stored = alerts[a["id"]]
            self.assertEqual((a["type"], a["domain"], a["key"]),
                             (stored[0], stored[2], stored[3]))
            self.assertIn(a["severity"], ("medium", "high", "critical"))
            for k in ("created_at", "baseline", "details"):
                self.assertIn(k, a)
        evil = [a for a in doc["alerts"] if a["id"] == self.hostile_id()][0]
        # JSON carries the certificate's text exactly: it is data.
        self.assertEqual(evil["details"]["issuance"]["issuer"],
                         self.query("SELECT issuer_dn FROM issuances "
                                    "WHERE serial = '0bad'")[0][0])
        self.assertIn("<script>", evil["details"]["issuance"]["issuer"])


class Outages(NotifierCase):
    rows = plain_rows(3)

    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver(self.tmp)

    def tearDown(self):
        self.receiver.stop()
        super().tearDown()

    def assert_each_delivered_once(self):
        ids = []
        for r in self.receiver.delivered():
            ids += [a["id"] for a in r["json"]["alerts"]]
        self.assertEqual(sorted(ids), sorted(self.alerts()))
        self.assertEqual(self.statuses(), {"delivered": len(self.alerts())})

    def test_500_then_delivered_once_after_restart(self):
        cfg = self.config(webhook(self.receiver.url))
        self.receiver.ctl("fault=500&count=100")
        p = self.cycle(cfg, T0)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("HTTP 500", p.stderr)
        self.assertNotIn("SECRETTOKEN", p.stderr)
        rows = self.outbox()
        self.assertEqual(len(rows), 3)
        for r in rows:
            self.assertEqual((r[2], r[3]), ("pending", 1))
            # 30 s, less up to a quarter of jitter.
            self.assertTrue(T0 + 22 <= r[4] <= T0 + 30, r)
            self.assertIn("HTTP 500", r[5])
            self.assertNotIn("SECRETTOKEN", r[5])
        # Not due yet: a new process sends nothing.
        self.cycle(cfg, T0 + 10, check=0)
        self.assertEqual(len(self.receiver.requests()), 1)
        self.receiver.ctl("fault=pass&count=1")
        self.receiver.stop()
        self.receiver.start()  # the outage ends (faults gone)
        self.cycle(cfg, T0 + 31, check=0)
        self.assert_each_delivered_once()
        self.cycle(cfg, T0 + 3600, check=0)
        self.assertEqual(len(self.receiver.requests()), 2)

    def test_retry_after_is_honoured(self):
        cfg = self.config(webhook(self.receiver.url, retries=3,
                                  extra="max_backoff_ms = 100;"))
        self.receiver.ctl("fault=429&retry_after=120&count=100")
        p = self.cycle(cfg, T0)
        self.assertEqual(p.returncode, 1)
        # Longer than the notifier waits in a call: the host's retries
        # wait max_backoff_ms, then the outbox waits exactly that long.
        self.assertEqual(len(self.receiver.requests()), 3)
        self.assertEqual({r[4] for r in self.outbox()}, {T0 + 120})
        self.receiver.stop()
        self.receiver.start()
        self.cycle(cfg, T0 + 119, check=0)
        self.assertEqual(len(self.receiver.requests()), 3)
        self.cycle(cfg, T0 + 120, check=0)
        self.assert_each_delivered_once()

    def test_timeout_then_delivered(self):
        cfg = self.config(webhook(self.receiver.url, instance="timeout = 1;"))
        self.receiver.ctl("fault=timeout&delay=3&count=1")
        p = self.cycle(cfg, T0)
        self.assertEqual(p.returncode, 1)
        self.assertIn("timed out", self.outbox()[0][5])
        self.assertEqual(self.statuses(), {"pending": 3})
        self.cycle(cfg, T0 + 31, check=0)
        self.assert_each_delivered_once()

    def test_connection_refused_then_receiver_back(self):
        cfg = self.config(webhook(self.receiver.url))
        self.receiver.stop()
        p = self.cycle(cfg, T0)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.statuses(), {"pending": 3})
        self.assertIn("connect", self.outbox()[0][5].lower())
        # Two more failing restarts: the wait doubles (60 s, then 120 s).
        nxt = self.outbox()[0][4]
        self.cycle(cfg, nxt)
        delay = self.outbox()[0][4] - nxt
        self.assertTrue(45 <= delay <= 60, delay)
        self.receiver.start()
        self.cycle(cfg, self.outbox()[0][4], check=0)
        self.assert_each_delivered_once()
        self.assertEqual({r[3] for r in self.outbox()}, {3})

    def test_permanent_error_recorded_not_retried(self):
        cfg = self.config(webhook(self.receiver.url, retries=3))
        self.receiver.ctl("fault=status&code=404&count=1")
        p = self.cycle(cfg, T0)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(self.receiver.requests()), 1)
        self.assertEqual(self.statuses(), {"failed": 3})
        self.assertIn("HTTP 404", self.outbox()[0][5])
        out = self.run_ctmon("--db", self.db, "--outbox", check=0).stdout
        self.assertIn("failed", out)
        self.assertIn("HTTP 404: invalid_payload", out)
        self.assertIn("webhook: 3 failed", out)
        self.cycle(cfg, T0 + 7 * 86400, check=0)
        self.assertEqual(len(self.receiver.requests()), 1)

    def test_custom_headers_from_config_and_environment(self):
        cfg = self.config(webhook(
            self.receiver.url,
            extra='headers = [ "Authorization: Bearer ${T_WEBHOOK_TOKEN}" ];'))
        self.cycle(cfg, env={"T_WEBHOOK_TOKEN": "tok-42",
                             "CTMON_WEBHOOK_HEADERS": "X-Tenant: blue"},
                   check=0)
        h = self.receiver.delivered()[0]["headers"]
        self.assertEqual(h["Authorization"], "Bearer tok-42")
        self.assertEqual(h["X-Tenant"], "blue")


    def test_retried_request_leaves_no_secret_in_stderr(self):
        url = self.receiver.url + "?token=QUERYSECRET"
        cfg = self.config(webhook(url, retries=3,
                                  extra="backoff_ms = 10;"))
        self.receiver.ctl("fault=500&count=2")
        p = self.cycle(cfg, T0, check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.receiver.requests()), 3)
        self.assertIn("retrying", p.stderr)
        self.assertIn("/services/...", p.stderr)
        for part in ("SECRETTOKEN", "QUERYSECRET", "T0/B0"):
            self.assertNotIn(part, p.stderr)
        self.assert_each_delivered_once()

    def test_resend_carries_the_same_idempotency_key(self):
        cfg = self.config(webhook(self.receiver.url))
        self.receiver.ctl("fault=500&count=1")
        self.cycle(cfg, T0, check=1)
        self.receiver.stop()
        self.receiver.start()
        self.cycle(cfg, T0 + 31, check=0)
        self.assert_each_delivered_once()
        first, resent = self.receiver.requests()
        self.assertEqual((first["status"], resent["status"]), (500, 200))
        key = first["headers"].get("Idempotency-Key", "")
        self.assertRegex(key, r"^ctmon-\d+-3-[0-9a-f]{16}$")
        self.assertEqual(resent["headers"].get("Idempotency-Key"), key)


class Redirects(NotifierCase):
    """A webhook POST never follows a redirect: not to another port with
    the API key and body, and not as a bodiless GET that answers 200."""
    rows = plain_rows(2)

    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver(self.tmp)
        os.makedirs(os.path.join(self.tmp, "other"))
        self.other = WebhookReceiver(os.path.join(self.tmp, "other"))

    def tearDown(self):
        self.receiver.stop()
        self.other.stop()
        super().tearDown()

    def redirect(self, code, to):
        self.receiver.ctl("fault=redirect&code=%d&to=%s"
                          % (code, urllib.parse.quote(to, safe="")))

    def assert_not_delivered(self, p, code):
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(self.statuses(), {"failed": 2})
        reason = self.outbox()[0][5]
        self.assertIn("HTTP %d redirect to" % code, reason)
        self.assertIn("refused", reason)
        self.assertNotIn("SECRETTOKEN", p.stderr + reason)

    def test_307_to_another_port_not_followed(self):
        cfg = self.config(webhook(
            self.receiver.url,
            extra='headers = [ "X-Api-Key: key-SECRET-42" ];'))
        self.redirect(307, self.other.url)
        p = self.cycle(cfg, T0, check=1)
        self.assertEqual(len(self.receiver.requests()), 1)
        self.assertEqual(self.other.requests(), [])
        self.assert_not_delivered(p, 307)
        self.assertNotIn("key-SECRET-42", p.stderr)

    def test_302_is_not_a_delivery(self):
        cfg = self.config(webhook(self.receiver.url))
        self.redirect(302, "/landing")
        p = self.cycle(cfg, T0, check=1)
        self.assertEqual(len(self.receiver.requests()), 1)
        self.assert_not_delivered(p, 302)


class SplitBatches(NotifierCase):
    rows = plain_rows(60)

    def test_half_sent_batch_is_not_sent_again(self):
        receiver = WebhookReceiver(self.tmp)
        try:
            cfg = self.config(webhook(receiver.url, "slack"))
            # The first message (49 alerts) arrives, the second fails.
            receiver.ctl("fault=pass&count=1")
            receiver.ctl("fault=500&count=100")
            p = self.cycle(cfg, T0)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(self.statuses(), {"delivered": 49,
                                               "pending": 11})
            receiver.stop()
            receiver.start()
            self.cycle(cfg, T0 + 31, check=0)
            sent = [acked_ids(json.dumps(r["json"]))
                    for r in receiver.delivered()]
            self.assertEqual([len(s) for s in sent], [49, 11])
            self.assertEqual(sorted(i for s in sent for i in s),
                             sorted(self.alerts()))
            for r in receiver.delivered():
                self.assertLessEqual(len(r["json"]["blocks"]), 50)
        finally:
            receiver.stop()


class Tls(NotifierCase):
    rows = plain_rows(1)

    def test_https_receiver_verified_against_ca_file(self):
        cert, key = make_tls_cert(self.tmp)
        receiver = WebhookReceiver(self.tmp, tls=(cert, key))
        try:
            # Not trusted: verification is on, nothing is sent.
            cfg = self.config(webhook(receiver.url))
            p = self.cycle(cfg, T0)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(receiver.requests(), [])
            self.assertEqual(self.statuses(), {"pending": 1})
            self.assertIn("TLS", self.outbox()[0][5])
            # Trusted through ca_file: delivered.
            cfg = self.config(webhook(receiver.url,
                                      extra='ca_file = "%s";' % cert))
            self.cycle(cfg, T0 + 31, check=0)
            self.assertEqual(len(receiver.delivered()), 1)
            self.assertEqual(self.statuses(), {"delivered": 1})
        finally:
            receiver.stop()


if __name__ == "__main__":
    unittest.main()
