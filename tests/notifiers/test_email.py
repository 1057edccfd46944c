"""The email notifier through the real binary against a real SMTP server
(Debian's python3-aiosmtpd, tests/servers/smtp_server.py) with STARTTLS
or implicit TLS and AUTH: the message's MIME structure, headers and both
parts, hostile certificate text, the reference's --smtp-* flags, and
outages ending with every alert delivered exactly once."""
import email
import email.policy
import email.utils
import os
import re
import unittest

from notif_case import T0, NotifierCase, hostile_rows, plain_rows
from harness import SmtpServer, make_tls_cert

PASSWORD = "s3cret-pw"


def email_notifier(server, cert, extra=""):
    return ('{ plugin = "email"; config = { host = "127.0.0.1"; port = %d; '
            'user = "alice"; from = "ctmon@example.org"; to = [ '
            '"sec@example.org", "soc@example.org" ]; ca_file = "%s"; '
            'timeout = 10; %s }; }' % (server.port, cert, extra))


class EmailCase(NotifierCase):
    rows = plain_rows(2) + hostile_rows()
    tls = "starttls"

    def setUp(self):
        super().setUp()
        self.cert, self.key = make_tls_cert(self.tmp)
        self.smtp = SmtpServer(self.tmp, self.cert, self.key, tls=self.tls,
                               password=PASSWORD)

    def tearDown(self):
        self.smtp.stop()
        super().tearDown()

    def send(self, extra="", now=T0, env=None, check=0):
        cfg = self.config(email_notifier(self.smtp, self.cert, extra))
        full = {"CTMON_SMTP_PASS": PASSWORD}
        full.update(env or {})
        return self.cycle(cfg, now, env=full, check=check)

    def parsed(self, i=0):
        env, raw = self.smtp.messages()[i]
        return env, email.message_from_bytes(raw, policy=email.policy.default)


class Message(EmailCase):
    def test_starttls_auth_and_mime_structure(self):
        self.send()
        self.assertEqual(len(self.smtp.messages()), 1)
        env, msg = self.parsed()
        self.assertEqual(env["mail_from"], "ctmon@example.org")
        self.assertEqual(env["rcpt_tos"], ["sec@example.org",
                                           "soc@example.org"])
        self.assertEqual(env["auth_user"], "alice")
        self.assertTrue(env["tls"])
        alerts = self.alerts()
        # Headers: exactly these, none from the certificate.
        self.assertEqual(sorted(msg.keys()), sorted([
            "Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
            "Content-Type", "Auto-Submitted", "X-Auto-Response-Suppress",
            "X-Ctmon-Alerts", "X-Ctmon-Highest-Severity"]))
        self.assertEqual(email.utils.parsedate_to_datetime(msg["Date"])
                         .timestamp(), T0)
        self.assertRegex(msg["Message-ID"], r"^<ctmon\.\d+\.[0-9a-f]{16}"
                                            r"@example\.org>$")
        self.assertEqual(msg["From"], "ctmon <ctmon@example.org>")
        self.assertEqual(msg["To"], "sec@example.org, soc@example.org")
        self.assertEqual(msg["Subject"],
                         "[ctmon] %d new certificate alerts for example.com "
                         "(highest: medium)" % len(alerts))
        self.assertEqual(msg["X-Ctmon-Alerts"], str(len(alerts)))
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "text/html"])
        for p in parts:
            self.assertEqual(p.get_content_charset(), "utf-8")
            self.assertEqual(p["Content-Transfer-Encoding"],
                             "quoted-printable")
        text, html = parts[0].get_content(), parts[1].get_content()
        for i in alerts:
            self.assertIn("ctmon --ack %d" % i, text)
            self.assertIn("ctmon --ack %d</code>" % i, html)
        self.assertIn("[MEDIUM] New subdomain in a certificate", text)
        self.assertIn("Names:    h1.example.com", text)
        self.assertIn("https://crt.sh/?id=101", text)
        self.assertIn('<a href="https://crt.sh/?id=101">101</a>', html)
        self.assertEqual(self.statuses(), {"delivered": len(alerts)})

    def test_hostile_issuer_is_inert(self):
        self.send()
        _, msg = self.parsed()
        self.assertIsNone(msg["Bcc"])
        text, html = [p.get_content() for p in msg.iter_parts()]
        # Text: CR/LF and the bidi override are visible escapes.
        self.assertIn("CN=Evil\\x0d\\x0aBcc: victim@example.com"
                      "\\x0d\\x0a\\x0d\\x0aforged \\u{202e}reversed", text)
        self.assertNotIn("\nBcc", text)
        self.assertNotIn("\u202e", text)
        # HTML: markup is text.
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>Evil", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                      "&lt;b&gt;Evil&lt;/b&gt;", html)
        self.assertEqual(re.findall(r"<a href=\"([^\"]*)\"", html),
                         ["https://crt.sh/?id=%d" % i for i in
                          (101, 102, 900)])
        # The 3000-character DN is cut, with a mark.
        self.assertIn("\u2026", text)
        self.assertLess(len(text), 4000)


class Flags(EmailCase):
    rows = plain_rows(1)

    def flags_config(self):
        # Only what no flag can say (trusting the test CA) is in the file.
        return self.crtsh_config(extra=(
            'notify_baseline = true;\nnotifiers = ( { plugin = "email"; '
            'config = { ca_file = "%s"; }; } );' % self.cert))

    def test_flags_with_password_file(self):
        pw = os.path.join(self.tmp, "smtp-pass")
        with open(pw, "w") as f:
            f.write(PASSWORD + "\n")
        p = self.cycle(self.flags_config(), args=(
            "--smtp-host", "127.0.0.1", "--smtp-port", str(self.smtp.port),
            "--smtp-user", "alice", "--smtp-pass-file", pw, "--email-from",
            "ct@example.net", "--email-to", "security@example.com"),
            check=0)
        self.assertNotIn(PASSWORD, p.stderr)
        env, msg = self.parsed()
        self.assertEqual(env["auth_user"], "alice")
        self.assertEqual(env["mail_from"], "ct@example.net")
        self.assertEqual(msg["From"], "ctmon <ct@example.net>")
        self.assertEqual(env["rcpt_tos"], ["security@example.com"])

    def test_wrong_password_is_permanent(self):
        p = self.cycle(self.flags_config(), args=(
            "--smtp-host", "127.0.0.1", "--smtp-port", str(self.smtp.port),
            "--smtp-user", "alice", "--email-from", "ct@example.net",
            "--email-to", "security@example.com"),
            env={"CTMON_SMTP_PASS": "not-the-password"})
        self.assertEqual(p.returncode, 1)
        self.assertNotIn("not-the-password", p.stderr)
        self.assertEqual(self.smtp.messages(), [])
        self.assertEqual(self.statuses(), {"failed": 1})
        self.assertIn("535", self.outbox()[0][5])

    def test_refused_at_start_without_sender_or_recipients(self):
        base = ("--smtp-host", "127.0.0.1", "--smtp-user", "alice")
        p = self.cycle(self.flags_config(),
                       args=base + ("--email-to", "a@example.com"), check=3)
        self.assertIn("--email-from", p.stderr)
        p = self.cycle(self.flags_config(),
                       args=base + ("--email-from", "a@example.com"), check=3)
        self.assertIn("--email-to", p.stderr)
        p = self.cycle(self.flags_config(), args=base + (
            "--email-from", "a@example.com", "--email-to",
            "x@example.com>\r\nRCPT TO:<evil@example.com"), check=3)
        self.assertIn("is not an e-mail address", p.stderr)
        self.assertEqual(self.query("SELECT count(*) FROM certificates"),
                         [(0,)])

    def test_flags_deliver(self):
        cfg = self.flags_config()
        # The reference's example: no --email-from, the user is the
        # sender; the password from the environment.
        self.smtp.stop()
        self.smtp.user = "alerts@example.com"
        self.smtp.start()
        p = self.cycle(cfg, args=("--smtp-host", "127.0.0.1", "--smtp-port",
                                  str(self.smtp.port), "--smtp-user",
                                  "alerts@example.com", "--email-to",
                                  "security@example.com", "soc@example.com"),
                       env={"CTMON_SMTP_PASS": PASSWORD}, check=0)
        self.assertNotIn(PASSWORD, p.stderr)
        env, msg = self.parsed()
        self.assertEqual(env["mail_from"], "alerts@example.com")
        self.assertEqual(env["auth_user"], "alerts@example.com")
        self.assertEqual(env["rcpt_tos"], ["security@example.com",
                                           "soc@example.com"])
        self.assertIn("1 new certificate alert for example.com",
                      msg["Subject"])

    def test_tls_is_verified(self):
        # Without the test CA the server's certificate is not trusted:
        # nothing is sent, the alert waits.
        cfg = self.config(email_notifier(self.smtp, self.cert).replace(
            'ca_file = "%s";' % self.cert, ""))
        p = self.cycle(cfg, env={"CTMON_SMTP_PASS": PASSWORD})
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.smtp.messages(), [])
        self.assertEqual(self.statuses(), {"pending": 1})


class ImplicitTls(EmailCase):
    rows = plain_rows(1)
    tls = "implicit"

    def test_implicit_tls(self):
        self.send('tls = "implicit";')
        env, msg = self.parsed()
        self.assertTrue(env["tls"])
        self.assertEqual(env["auth_user"], "alice")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")


class Outages(EmailCase):
    rows = plain_rows(3)

    def test_server_down_then_delivered_once_after_restart(self):
        self.smtp.stop()
        p = self.send(check=None)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.statuses(), {"pending": 3})
        nxt = self.outbox()[0][4]
        self.assertTrue(T0 + 22 <= nxt <= T0 + 30)
        self.smtp.start()
        self.send(now=nxt)
        self.send(now=nxt + 3600)
        self.assertEqual(len(self.smtp.messages()), 1)
        text = list(self.parsed()[1].iter_parts())[0].get_content()
        for i in self.alerts():
            self.assertEqual(text.count("ctmon --ack %d\n" % i) +
                             text.count("ctmon --ack %d)" % i), 1)
        self.assertEqual(self.statuses(), {"delivered": 3})

    def test_temporary_reply_is_retried(self):
        self.smtp.fail_next("451 4.3.0 try again later")
        p = self.send(check=None)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.statuses(), {"pending": 3})
        self.assertIn("451", self.outbox()[0][5])
        self.send(now=T0 + 31)
        self.assertEqual(len(self.smtp.messages()), 1)
        self.assertEqual(self.statuses(), {"delivered": 3})

    def test_permanent_reply_is_recorded(self):
        self.smtp.fail_next("554 5.7.1 message rejected")
        p = self.send(check=None)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.statuses(), {"failed": 3})
        self.assertIn("554", self.outbox()[0][5])
        self.send(now=T0 + 86400)
        self.assertEqual(self.smtp.messages(), [])


if __name__ == "__main__":
    unittest.main()
