"""The email notifier through the real binary against a real SMTP server
(Debian's python3-aiosmtpd, tests/servers/smtp_server.py) with STARTTLS
or implicit TLS and AUTH: the message's MIME structure, headers and both
parts, hostile certificate text, the reference's --smtp-* flags, and
outages ending with every alert delivered exactly once."""
import email
import email.policy
import email.utils
import json
import os
import re
import sys
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
        # From the alerts (first id, count, hash of ids and keys), so a
        # resend is recognisable; the domain is the sender's.
        self.assertRegex(msg["Message-ID"], r"^<ctmon\.b%d\.%d\.[0-9a-f]{16}"
                         r"@example\.org>$" % (min(alerts), len(alerts)))
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
        os.chmod(pw, 0o600)
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


class PasswordFile(EmailCase):
    """A password file others can read is refused, or accepted with a
    warning at every start when the config says so."""
    rows = plain_rows(1)

    def write_pw(self, mode):
        pw = os.path.join(self.tmp, "smtp-pass")
        with open(pw, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pw, mode)
        return pw

    def test_readable_by_others_is_refused(self):
        pw = self.write_pw(0o644)
        p = self.send('password_file = "%s";' % pw,
                      env={"CTMON_SMTP_PASS": "unused"}, check=3)
        self.assertIn('option "password_file": %s is mode 0644: group or '
                      'others may read the SMTP password; run chmod 600 %s'
                      % (pw, pw), p.stderr)
        self.assertEqual(self.smtp.messages(), [])
        os.chmod(pw, 0o640)
        p = self.send('password_file = "%s";' % pw, check=3)
        self.assertIn("is mode 0640", p.stderr)

    def test_allowed_with_a_loud_warning(self):
        pw = self.write_pw(0o644)
        p = self.send('password_file = "%s"; '
                      'allow_insecure_password_file = true;' % pw, check=0)
        self.assertIn("WARNING: password_file %s is mode 0644" % pw,
                      p.stderr)
        self.assertNotIn(PASSWORD, p.stderr)
        self.assertEqual(self.smtp.messages()[0][0]["auth_user"], "alice")

    def test_private_file_is_used_silently(self):
        pw = self.write_pw(0o600)
        p = self.send('password_file = "%s";' % pw,
                      env={"CTMON_SMTP_PASS": "not-the-password"}, check=0)
        self.assertNotIn("WARNING", p.stderr)
        self.assertEqual(len(self.smtp.messages()), 1)


STUB_SENDMAIL = """#!%s
# A stub sendmail written by test_email.py: saves its argv, environment and
# stdin per run, and exits with the code in exit_codes (one per run).
import json, os, sys
d = %r
n = len([f for f in os.listdir(d) if f.startswith("stdin.")])
with open(os.path.join(d, "argv.%%d" %% n), "w") as f:
    json.dump(sys.argv, f)
with open(os.path.join(d, "env.%%d" %% n), "w") as f:
    json.dump(dict(os.environ), f)
with open(os.path.join(d, "stdin.%%d" %% n), "wb") as f:
    f.write(sys.stdin.buffer.read())
codes = open(os.path.join(d, "exit_codes")).read().split()
sys.exit(int(codes[n]) if n < len(codes) else 0)
"""


class Sendmail(NotifierCase):
    """transport = "sendmail": the message on the stdin of
    `sendmail_path -t -i`, no shell, no SMTP."""
    rows = plain_rows(2) + hostile_rows()

    def setUp(self):
        super().setUp()
        self.box = os.path.join(self.tmp, "mailbox")
        os.mkdir(self.box)
        # A space and a quote in the path: there is no shell to split it.
        self.stub = os.path.join(self.tmp, "stub send'mail")
        with open(self.stub, "w") as f:
            f.write(STUB_SENDMAIL % (sys.executable, self.box))
        os.chmod(self.stub, 0o755)
        self.exit_codes()

    def exit_codes(self, *codes):
        with open(os.path.join(self.box, "exit_codes"), "w") as f:
            f.write(" ".join(str(c) for c in codes))

    def send(self, now=T0, check=0):
        cfg = self.config(
            '{ plugin = "email"; config = { transport = "sendmail"; '
            'sendmail_path = "%s"; from = "ctmon@example.org"; '
            'to = [ "sec@example.org", "soc@example.org" ]; }; }'
            % self.stub.replace("\\", "\\\\").replace('"', '\\"'))
        return self.cycle(cfg, now, env={"CTMON_SMTP_PASS": PASSWORD},
                          check=check)

    def run_data(self, n):
        with open(os.path.join(self.box, "argv.%d" % n)) as f:
            argv = json.load(f)
        with open(os.path.join(self.box, "env.%d" % n)) as f:
            env = json.load(f)
        with open(os.path.join(self.box, "stdin.%d" % n), "rb") as f:
            raw = f.read()
        return argv, env, raw

    def test_message_arrives_intact(self):
        self.send()
        argv, env, raw = self.run_data(0)
        self.assertEqual(argv, [self.stub, "-t", "-i"])
        self.assertNotIn("CTMON_SMTP_PASS", env)
        self.assertNotIn(PASSWORD.encode(), raw)
        # The local MTA's line ends, and nothing else changed.
        self.assertNotIn(b"\r", raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        alerts = self.alerts()
        self.assertEqual(sorted(msg.keys()), sorted([
            "Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
            "Content-Type", "Auto-Submitted", "X-Auto-Response-Suppress",
            "X-Ctmon-Alerts", "X-Ctmon-Highest-Severity"]))
        self.assertEqual(msg["To"], "sec@example.org, soc@example.org")
        self.assertEqual(msg["From"], "ctmon <ctmon@example.org>")
        self.assertRegex(msg["Message-ID"], r"^<ctmon\.b%d\.%d\.[0-9a-f]{16}"
                         r"@example\.org>$" % (min(alerts), len(alerts)))
        self.assertIsNone(msg["Bcc"])
        text, html = [p.get_content() for p in msg.iter_parts()]
        for i in alerts:
            self.assertIn("ctmon --ack %d" % i, text)
        self.assertIn("CN=Evil\\x0d\\x0aBcc: victim@example.com", text)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertEqual(self.statuses(), {"delivered": len(alerts)})

    def test_tempfail_is_retried_with_the_same_message_id(self):
        self.exit_codes(75, 0)
        p = self.send(check=None)
        self.assertEqual(p.returncode, 1)
        n = len(self.alerts())
        self.assertEqual(self.statuses(), {"pending": n})
        self.assertIn("exited with status 75", self.outbox()[0][5])
        self.send(now=T0 + 31)
        self.assertEqual(self.statuses(), {"delivered": n})
        first = email.message_from_bytes(self.run_data(0)[2])
        resend = email.message_from_bytes(self.run_data(1)[2])
        self.assertEqual(first["Message-ID"], resend["Message-ID"])
        self.assertNotEqual(first["Date"], resend["Date"])

    def test_missing_program_is_an_error_not_a_crash(self):
        os.unlink(self.stub)
        p = self.send(check=None)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot run", self.outbox()[0][5])
        self.assertEqual(self.statuses(), {"pending": len(self.alerts())})


if __name__ == "__main__":
    unittest.main()
