#!/usr/bin/env python3
"""Tests of tests/servers/crtsh_server.py: the search API behaves like
crt.sh on the real fixtures, and every fault mode answers as documented.
Only 127.0.0.1 is used."""

import calendar
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("CTM_SOURCE_DIR", os.path.join(HERE, "..", ".."))
SERVER = os.path.join(SOURCE, "tests", "servers", "crtsh_server.py")
FIXTURES = os.path.join(
    os.environ.get("CTM_FIXTURES_DIR",
                   os.path.join(SOURCE, "tests", "data")),
    "crtsh")
EXAMPLE = os.path.join(FIXTURES, "melotic-enum.land__tests_data_crtsh.json")
CRTSH = os.path.join(FIXTURES,
                     "ninoseki-crtsh__cassette_Crtsh_API_1_1.body.json")


def start_server(args, port_file=None):
    cmd = [sys.executable, SERVER] + args
    if port_file:
        cmd += ["--port-file", port_file]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 15
    if port_file:
        while not os.path.exists(port_file):
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("crtsh_server did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            return proc, int(f.read())
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError("unexpected first line %r" % line)
    return proc, int(line.split()[1])


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


def is_dns_like(name):
    return " " not in name and "@" not in name


def ts(s):
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))


class CrtshServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="crtsh-server-test-")
        data = os.path.join(cls.tmp, "data")
        os.mkdir(data)
        shutil.copy(EXAMPLE, os.path.join(data, "example.com.json"))
        with open(EXAMPLE) as f:
            cls.example = json.load(f)
        with open(CRTSH) as f:
            cls.crtsh = json.load(f)
        cls.proc, cls.port = start_server(
            ["--data", data, "--file", "crt.sh=" + CRTSH,
             "--chunk-size", "100", "--big", "50"],
            os.path.join(cls.tmp, "port"))

    @classmethod
    def tearDownClass(cls):
        stop_server(cls.proc)
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.assertEqual(self.get("/_reset")[0], 200)

    # -- helpers ----------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def get(self, path, headers=None, timeout=10):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def search(self, query, **kw):
        status, headers, body = self.get("/?" + query, **kw)
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["Content-Type"], "application/json")
        return json.loads(body)

    def fault(self, query):
        status, _, body = self.get("/_ctl?" + query)
        self.assertEqual(status, 200, body)

    def raw(self, query):
        """The raw bytes of a search response, read until the server
        closes; returns (header text, body bytes)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall(("GET /?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Connection: close\r\n\r\n" % query).encode())
        data = b""
        while True:
            part = s.recv(65536)
            if not part:
                break
            data += part
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return head.decode("latin-1"), body

    def full_body(self, query):
        return self.get("/?" + query)[2]

    # -- the search API ---------------------------------------------------

    def test_dnsname_search_matches_like_crtsh(self):
        rows = self.search("dNSName=example.com&match=ILIKE&output=json")
        want = []
        for r in self.example:
            names = [n for n in r["name_value"].split("\n")
                     if "example.com" in n.lower() and is_dns_like(n)]
            if names:
                want.append((r["id"], "\n".join(names)))
        self.assertGreater(len(want), 10)
        self.assertEqual([(r["id"], r["name_value"]) for r in rows], want)
        # e-mail identities and names with spaces are not dNSNames
        self.assertFalse(any("@" in r["name_value"] for r in rows))
        # other keys come through untouched
        by_id = {r["id"]: r for r in self.example}
        for r in rows:
            for k in ("issuer_name", "serial_number", "not_after",
                      "entry_timestamp", "common_name", "issuer_ca_id"):
                self.assertEqual(r[k], by_id[r["id"]][k])

    def test_percent_forms_and_identity(self):
        base = self.search("dNSName=example.com&output=json")
        self.assertEqual(self.search("dNSName=%25.example.com&output=json"),
                         base)
        self.assertEqual(
            self.search("domain=%25example.com%25&output=json"), base)
        ident = self.search("q=%25.example.com&output=json")
        self.assertEqual(ident,
                         self.search("Identity=example.com&output=json"))
        self.assertEqual(len(ident), len(self.example))
        self.assertTrue(any("user@example.com" in r["name_value"]
                            for r in ident))
        self.assertGreater(len(ident), len(base))

    def test_bad_percent_is_html_200(self):
        status, headers, body = self.get(
            "/?dNSName=a%25b.example.com&output=json")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(b"Unsupported use of '%'", body)

    def test_certificate_lookup_cannot_be_json(self):
        for q in ("q=12345", "id=12345",
                  "q=" + "ab" * 32):
            status, headers, body = self.get("/?%s&output=json" % q)
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/html"))
            self.assertIn(b"Unsupported output type: json", body)

    def test_json_by_accept_header_and_path(self):
        base = self.search("dNSName=example.com&output=json")
        self.assertEqual(self.search(
            "dNSName=example.com",
            headers={"Accept": "application/json"}), base)
        status, headers, body = self.get("/json?dNSName=example.com")
        self.assertEqual(json.loads(body), base)
        status, headers, body = self.get("/?dNSName=example.com")
        self.assertTrue(headers["Content-Type"].startswith("text/html"))

    def test_non_subdomains_come_back(self):
        rows = [{"issuer_ca_id": 1, "issuer_name": "C=US, CN=T",
                 "common_name": n, "name_value": n, "id": 100 + i,
                 "entry_timestamp": None, "not_before": "2020-01-01T00:00:00",
                 "not_after": "2030-01-01T00:00:00", "serial_number": "01"}
                for i, n in enumerate(["notexample.com",
                                       "example.com.evil.net",
                                       "www.example.com", "example.org"])]
        status, _, body = self.request(
            "POST", "/_data?domain=example.com", body=json.dumps(rows),
            headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        got = self.search("dNSName=example.com&output=json")
        self.assertEqual([r["name_value"] for r in got],
                         ["notexample.com", "example.com.evil.net",
                          "www.example.com"])
        # append, then delete the override: the file is back
        self.request("POST", "/_data?domain=example.com&append=1",
                     body=json.dumps(rows[:1]))
        self.assertEqual(len(self.search(
            "dNSName=example.com&output=json")), 4)
        self.request("DELETE", "/_data?domain=example.com")
        self.assertEqual(len(self.search("q=example.com&output=json")),
                         len(self.example))

    def test_domain_without_data_is_empty_array(self):
        status, headers, body = self.get(
            "/?dNSName=nothing.invalid&output=json")
        self.assertEqual((status, body), (200, b"[]"))
        self.assertEqual(headers["Content-Type"], "application/json")

    def test_file_mapping(self):
        rows = self.search("identity=crt.sh&output=json")
        self.assertEqual(len(rows), len(self.crtsh))
        self.assertEqual([r["id"] for r in rows],
                         [r["id"] for r in self.crtsh])

    def test_exclude_expired(self):
        now = calendar.timegm((2023, 6, 1, 0, 0, 0))
        self.fault("now=%d" % now)
        rows = self.search("q=example.com&output=json&exclude=expired")
        want = [r["id"] for r in self.example if ts(r["not_after"]) >= now]
        self.assertTrue(0 < len(want) < len(self.example))
        self.assertEqual([r["id"] for r in rows], want)
        # any other exclude value does nothing, as on crt.sh
        self.assertEqual(len(self.search(
            "q=example.com&output=json&exclude=expired,x")),
            len(self.example))

    def test_deduplicate(self):
        rows = self.search("q=example.com&output=json&deduplicate=Y")
        self.assertLess(len(rows), len(self.example))
        keys = [(r["issuer_ca_id"], r["serial_number"], r["not_before"],
                 r["not_after"]) for r in rows]
        self.assertEqual(len(keys), len(set(keys)))
        for r, k in zip(rows, keys):
            group = [x["id"] for x in self.example
                     if (x["issuer_ca_id"], x["serial_number"],
                         x["not_before"], x["not_after"]) == k]
            self.assertEqual(r["id"], min(group))

    def test_cn_search_has_no_common_name(self):
        rows = self.search("CN=example.com&output=json")
        self.assertTrue(rows)
        self.assertFalse(any("common_name" in r for r in rows))

    def test_body_is_streamed_in_chunks(self):
        head, body = self.raw("dNSName=example.com&output=json")
        self.assertIn("Transfer-Encoding: chunked", head)
        sizes, rest, data = [], body, b""
        while True:
            line, _, rest = rest.partition(b"\r\n")
            n = int(line, 16)
            if n == 0:
                break
            sizes.append(n)
            data, rest = data + rest[:n], rest[n + 2:]
        self.assertGreater(len(sizes), 10)
        self.assertTrue(all(n <= 100 for n in sizes))
        self.assertEqual(data, self.full_body(
            "dNSName=example.com&output=json"))

    def test_transfer_modes(self):
        want = self.full_body("dNSName=example.com&output=json")
        self.fault("transfer=length")
        status, headers, body = self.get("/?dNSName=example.com&output=json")
        self.assertEqual(headers["Content-Length"], str(len(want)))
        self.assertEqual(body, want)
        self.fault("transfer=close&chunk_size=7")
        head, body = self.raw("dNSName=example.com&output=json")
        self.assertIn("Connection: close", head)
        self.assertNotIn("Content-Length", head)
        self.assertNotIn("Transfer-Encoding", head)
        self.assertEqual(body, want)
        status, _, _ = self.get("/_ctl?transfer=bogus")
        self.assertEqual(status, 400)

    # -- faults -----------------------------------------------------------

    def test_fault_429_with_and_without_retry_after(self):
        self.fault("fault=429")
        status, headers, _ = self.get("/?dNSName=example.com&output=json")
        self.assertEqual((status, headers["Retry-After"]), (429, "1"))
        self.fault("fault=429&retry_after=7")
        status, headers, _ = self.get("/?dNSName=example.com&output=json")
        self.assertEqual((status, headers["Retry-After"]), (429, "7"))
        self.fault("fault=429-no-retry")
        status, headers, _ = self.get("/?dNSName=example.com&output=json")
        self.assertEqual(status, 429)
        self.assertIsNone(headers["Retry-After"])
        self.assertTrue(self.search("dNSName=example.com&output=json"))

    def test_fault_count_and_order(self):
        self.fault("fault=503&count=2")
        self.fault("fault=502")
        codes = [self.get("/?dNSName=example.com&output=json")[0]
                 for _ in range(4)]
        self.assertEqual(codes, [503, 503, 502, 200])

    def test_fault_pages(self):
        cases = [
            ("503", 503, "text/html", b"Sorry, something went wrong"),
            ("502", 502, "text/html", b"Bad Gateway</h1></center>\r\n<hr>"
             b"<center>nginx</center>"),
            ("html200", 200, "text/html", b"Unsupported output type: json"),
            ("html-as-json", 200, "application/json",
             b"<BR><BR>Unsupported output type"),
            ("403", 403, "text/plain",
             b"This user agent has been blocked due to abuse"),
            ("status&code=418", 418, "text/html", b"Error 418"),
        ]
        for name, code, ctype, text in cases:
            self.fault("fault=" + name)
            status, headers, body = self.get(
                "/?dNSName=example.com&output=json")
            self.assertEqual(status, code, name)
            self.assertTrue(headers["Content-Type"].startswith(ctype), name)
            self.assertIn(text, body, name)

    def test_fault_empty_body(self):
        self.fault("fault=empty")
        status, headers, body = self.get("/?dNSName=example.com&output=json")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(headers["Content-Type"], "application/json")

    def test_fault_truncate_chunked(self):
        want = self.full_body("dNSName=example.com&output=json")
        self.fault("fault=truncate")
        head, body = self.raw("dNSName=example.com&output=json")
        self.assertIn("Transfer-Encoding: chunked", head)
        self.assertFalse(body.endswith(b"0\r\n\r\n"))
        data, rest = b"", body
        while rest:
            line, _, rest = rest.partition(b"\r\n")
            n = int(line, 16)
            data, rest = data + rest[:n], rest[n + 2:]
        self.assertEqual(data, want[:len(want) // 2])

    def test_fault_truncate_with_content_length(self):
        want = self.full_body("dNSName=example.com&output=json")
        self.fault("fault=truncate-length&at=300")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/?dNSName=example.com&output=json")
        resp = conn.getresponse()
        self.assertEqual(resp.headers["Content-Length"], str(len(want)))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            resp.read()
        conn.close()
        self.assertEqual(cm.exception.partial, want[:300])

    def test_fault_truncate_without_length(self):
        want = self.full_body("dNSName=example.com&output=json")
        self.fault("fault=truncate-close&at=10")
        head, body = self.raw("dNSName=example.com&output=json")
        self.assertIn("Connection: close", head)
        self.assertNotIn("Content-Length", head)
        self.assertEqual(body, want[:10])
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_fault_slow(self):
        self.fault("fault=slow&delay=2")
        with self.assertRaises(socket.timeout):
            self.get("/?dNSName=example.com&output=json", timeout=0.5)
        self.fault("fault=slow&delay=1")
        t0 = time.time()
        rows = self.search("dNSName=example.com&output=json", timeout=10)
        self.assertGreaterEqual(time.time() - t0, 1.0)
        self.assertTrue(rows)

    def test_fault_stall_mid_body(self):
        want = self.full_body("dNSName=example.com&output=json")
        self.fault("fault=stall&delay=1")
        t0 = time.time()
        body = self.full_body("dNSName=example.com&output=json")
        self.assertGreaterEqual(time.time() - t0, 1.0)
        self.assertEqual(body, want)

    def test_unknown_fault_refused(self):
        status, _, body = self.get("/_ctl?fault=nope")
        self.assertEqual(status, 400)
        self.assertIn(b"unknown fault", body)
        status, _, body = self.get("/_ctl?fault=503&count=many")
        self.assertEqual(status, 400)
        # nothing was queued by the refused requests
        self.assertEqual(self.get("/?dNSName=example.com&output=json")[0],
                         200)

    # -- log and reset ----------------------------------------------------

    def test_log_and_reset(self):
        self.fault("fault=503")
        self.get("/?dNSName=example.com&output=json",
                 headers={"User-Agent": "ctmon-test/1", "X-Probe": "yes"})
        self.get("/?DNSNAME=example.com&dnsname=ignored&output=json")
        status, _, body = self.get("/_log")
        log = json.loads(body)
        self.assertEqual(len(log), 2)
        self.assertEqual(log[0]["path"], "/")
        self.assertEqual(log[0]["query"], "dNSName=example.com&output=json")
        self.assertEqual(log[0]["headers"]["User-Agent"], "ctmon-test/1")
        self.assertEqual(log[0]["headers"]["X-Probe"], "yes")
        self.assertEqual(log[0]["fault"], "503")
        self.assertIsNone(log[1]["fault"])
        # names are case-insensitive, the first occurrence wins
        self.assertEqual(log[1]["params"]["dnsname"], "example.com")
        self.assertLessEqual(abs(log[0]["time"] - time.time()), 60)
        self.fault("fault=502&count=5")
        self.get("/_reset")
        self.assertEqual(json.loads(self.get("/_log")[2]), [])
        self.assertEqual(self.get(
            "/?dNSName=example.com&output=json")[0], 200)

    # -- synthetic data ---------------------------------------------------

    def test_big_from_command_line(self):
        rows = self.search("dNSName=big.test&output=json")
        self.assertEqual(len(rows), 50)

    def test_big_shapes(self):
        self.fault("big=3000&domain=huge.test")
        self.fault("now=1700000000")
        rows = self.search("dNSName=huge.test&match=ILIKE&output=json")
        self.assertEqual(len(rows), 3000)
        self.assertEqual(len({r["id"] for r in rows}), 3000)
        lower_second = 0
        for a, b in zip(rows[0::2], rows[1::2]):
            self.assertEqual((a["issuer_ca_id"], a["serial_number"],
                              a["name_value"]),
                             (b["issuer_ca_id"], b["serial_number"],
                              b["name_value"]))
            self.assertNotEqual(a["id"], b["id"])
            lower_second += b["id"] < a["id"]
        self.assertTrue(0 < lower_second < 1500)
        self.assertGreater(max(len(r["name_value"].split("\n"))
                               for r in rows), 30)
        self.assertTrue(all(len(r) == 10 for r in rows))
        self.assertTrue(any(r["entry_timestamp"] is None for r in rows))
        self.assertTrue(all(r["name_value"].split("\n")[0].endswith(
            "huge.test") for r in rows))
        live = self.search("dNSName=huge.test&output=json&exclude=expired")
        self.assertTrue(0 < len(live) < 3000)
        self.assertTrue(all(ts(r["not_after"]) >= 1700000000 for r in live))

    def test_port_printed_without_port_file(self):
        proc, port = start_server(["--big", "3", "--big-domain", "p.test"])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/?dNSName=p.test&output=json")
            self.assertEqual(len(json.loads(conn.getresponse().read())), 3)
            conn.close()
        finally:
            stop_server(proc)


if __name__ == "__main__":
    unittest.main(verbosity=2)
