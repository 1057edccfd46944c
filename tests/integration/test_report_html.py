"""The HTML report of a real run, rendered by headless Chromium.

ctmon runs one cycle against the local crt.sh server, one of whose
records carries a hostile issuer and name, and writes --report x.html.
Chromium (Debian's `chromium`) then loads the page with every request
sent to a local port that records connections, dumps the DOM after the
script ran, and takes a screenshot.  The test checks the charts and
tables against the store, that no request left the page, that no console
message (a CSP refusal included) was logged, and that the hostile text
stayed text: the onerror handler that would retitle the page never ran.
"""
import os
import re
import shutil
import socket
import subprocess
import threading
import unittest

from harness import CtmonTestCase

NOW = 1700000000  # 2023-11-14T22:13:20Z
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def row(cid, names, serial, nb, na, ca=185756,
        issuer="C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1"):
    return {"issuer_ca_id": ca, "issuer_name": issuer,
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": nb + ".0", "not_before": nb,
            "not_after": na, "serial_number": serial,
            "result_count": len(names)}


class Recorder:
    """Accepts and counts every TCP connection on a local port."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                first = conn.recv(2048).split(b"\r\n")[0]
            except OSError:
                first = b""
            self.requests.append(first.decode("latin-1"))
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


@unittest.skipIf(CHROMIUM is None and os.environ.get("CTMON_NO_BROWSER"),
                 "CTMON_NO_BROWSER set and chromium is not installed")
class HtmlReportInBrowser(CtmonTestCase):
    def setUp(self):
        super().setUp()
        if CHROMIUM is None:
            self.fail("chromium is not installed (scripts/deps.sh)")
        rows = [
            row(1001, ["example.com", "www.example.com"], "0a01",
                "2023-10-01T00:00:00", "2023-12-30T00:00:00"),
            row(1002, ["api.example.com"], "0a02",
                "2023-09-01T00:00:00", "2023-11-20T00:00:00"),
            row(1003, ["*.example.com"], "0a03",
                "2023-08-01T00:00:00", "2024-08-01T00:00:00"),
            # Hostile: an issuer DN and a name made to run script.
            row(1004, [HOSTILE + ".example.com", "evil.example.com"],
                "0b01", "2023-11-01T00:00:00", "2024-01-30T00:00:00",
                ca=999001, issuer="C=XX, O=" + HOSTILE + ", CN=" + HOSTILE),
        ]
        self.serve("example.com", rows)
        self.start_server()
        self.html = os.path.join(self.tmp, "report.html")
        self.run_ctmon("--config", self.crtsh_config(), "--domains",
                       "example.com", "--db", self.db, "--report", self.html,
                       env={"CTMON_NOW": str(NOW)}, check=0)

    def chromium(self, *args, page=None):
        rec = Recorder()
        profile = os.path.join(self.tmp, "profile")
        try:
            p = subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                 "--user-data-dir=" + profile, "--no-first-run",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-default-apps",
                 "--proxy-server=http://127.0.0.1:%d" % rec.port,
                 "--proxy-bypass-list=<-loopback>",
                 "--host-resolver-rules=MAP * 127.0.0.1:%d" % rec.port,
                 "--enable-logging=stderr", "--v=0",
                 "--virtual-time-budget=3000", *args,
                 "file://" + (page or self.html)],
                capture_output=True, text=True, timeout=120)
        finally:
            rec.close()
        return p, rec.requests

    def page_requests(self, *args):
        """Runs chromium on the report; returns it and the requests that
        the page made: those Chromium makes on its own (component
        updates, network time, accounts: seen on an empty page with the
        same flags) are not the page's."""
        empty = os.path.join(self.tmp, "empty.html")
        with open(empty, "w") as f:
            f.write("<!DOCTYPE html><title>empty</title>")
        _, own = self.chromium(*args, page=empty)

        def target(line):
            parts = line.split(" ")
            return (parts[1].split("?")[0] if len(parts) > 1 else line)
        own = {target(r) for r in own}
        p, seen = self.chromium(*args)
        return p, [r for r in seen if target(r) not in own]

    def test_page_in_chromium(self):
        p, requests = self.page_requests("--dump-dom")
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        dom = p.stdout
        # Nothing left the page, and nothing complained.
        self.assertEqual(requests, [])
        console = [l for l in p.stderr.splitlines()
                   if "CONSOLE" in l or "Refused to" in l]
        self.assertEqual(console, [])
        # The hostile text is text: no element, and its handler never
        # retitled the page.
        title = re.search(r"<title>(.*?)</title>", dom).group(1)
        self.assertTrue(title.startswith("ctmon report"), title)
        self.assertNotIn("pwned</title>", dom)
        self.assertNotIn("<img", dom)
        self.assertIn("O=&lt;img src=x onerror=\"document.title='pwned'\""
                      "&gt;", dom)
        # The script ran (CSP allowed it by hash): filter boxes exist.
        self.assertIn('class="filter"', dom)

        section = dom[dom.index('data-domain="example.com"'):]
        issuances = self.query(
            "SELECT count(*) FROM issuance_domains "
            "WHERE domain = 'example.com'")[0][0]
        valid = self.query(
            "SELECT count(*) FROM issuances i JOIN issuance_domains d "
            "ON d.issuance_id = i.id WHERE d.domain = 'example.com' "
            "AND i.not_before <= ? AND ? < i.not_after", NOW, NOW)[0][0]
        subs = self.query("SELECT count(*) FROM subdomains "
                          "WHERE domain = 'example.com'")[0][0]
        alerts = self.query("SELECT count(*) FROM alerts "
                            "WHERE domain = 'example.com'")[0][0]
        self.assertEqual(issuances, 4)
        self.assertGreater(subs, 0)
        self.assertGreater(alerts, 0)

        def card(name):
            m = re.search(r'data-card="%s"><b>(\d+)</b>' % name, section)
            return int(m.group(1))
        self.assertEqual(card("certificates"), issuances)
        self.assertEqual(card("valid"), valid)
        self.assertEqual(card("subdomains"), subs)
        self.assertEqual(card("open-alerts"), alerts)

        def chart_total(kind):
            m = re.search(r'data-chart="%s" data-total="(\d+)"' % kind,
                          section)
            return int(m.group(1))
        self.assertEqual(chart_total("issuance"), issuances)
        self.assertEqual(chart_total("expiry"), valid)
        self.assertEqual(chart_total("subdomains"), subs)
        # Bars: their data-n add up to the totals.
        svg = section[section.index('data-chart="issuance"'):]
        svg = svg[:svg.index("</svg>")]
        self.assertEqual(sum(int(n) for n in
                             re.findall(r'class="bar"[^>]*data-n="(\d+)"',
                                        svg)), issuances)
        # Axes and legend are labelled; thresholds drawn.
        self.assertIn("issuances per", svg)
        self.assertIn('class="legend"', svg)
        expiry = section[section.index('data-chart="expiry"'):]
        self.assertEqual(
            expiry[:expiry.index("</svg>")].count('<line class="mark"'), 3)
        # Tables: one row per subdomain and per alert.
        self.assertEqual(
            len(re.findall(r"<tr[^>]*><td class=\"name\"><a href=\"https://"
                           r"crt\.sh/\?q=", section)), subs)
        self.assertEqual(section.count("<tr data-alert="), alerts)

    def test_screenshot(self):
        png = os.path.join(self.tmp, "shot.png")
        p, requests = self.page_requests("--screenshot=" + png,
                                         "--window-size=1200,1600")
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertEqual(requests, [])
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(png), 20000)


if __name__ == "__main__":
    unittest.main()
