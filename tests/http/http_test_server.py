#!/usr/bin/env python3
"""HTTP (and TLS) test server for the core's HTTP client tests.

Listens on 127.0.0.1, plain HTTP and HTTPS with a self-signed certificate
made by `openssl req -x509` at start-up, both on free ports, and writes
"<http_port> <https_port>\n" to --port-file once ready.  Endpoints are
chosen by path; every request carrying ?id=X is counted, and /stats?id=X
reports the count so tests can see how many attempts reached the server.
The certificate is copied to <port-file>.pem for tests that trust it.
It exits on SIGTERM, and on its own when its parent process goes away.
"""

import argparse
import email.utils
import gzip
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

COUNTS = {}
TLS_FAILURES = []
LOCK = threading.Lock()


def pattern(n):
    """Deterministic body bytes the C test can recompute."""
    return bytes((i * 7 + 3) % 251 for i in range(n))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ctmon-test"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_body(self, status, body, ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def count(self, query):
        ident = query.get("id", [None])[0]
        if ident is None:
            return 0
        with LOCK:
            COUNTS[ident] = COUNTS.get(ident, 0) + 1
            return COUNTS[ident]

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_PUT(self):
        self.route()

    def route(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        seen = self.count(query) if parts[:1] != ["stats"] else 0
        length = int(self.headers.get("Content-Length") or 0)
        request_body = self.rfile.read(length) if length else b""
        try:
            self.dispatch(parts, query, seen, request_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def dispatch(self, parts, query, seen, request_body):
        name = parts[0] if parts else ""
        arg = parts[1] if len(parts) > 1 else ""
        if name == "ok":
            self.send_body(200, b'{"ok": true}', "application/json",
                           [("X-Test", "one"), ("X-Test", "two"),
                            ("X-Spaced", "   padded value   ")])
        elif name == "folded":
            # Obsolete line folding (RFC 9112 5.2), written by hand.
            self.send_body(200, b"folded", extra=[
                ("X-Folded", "first"), ("X-Other", "x"),
                ("X-Folded", "second\r\n   third")])
        elif name == "html":
            self.send_body(200, b"<html><body>rate limited</body></html>",
                           "text/html; charset=utf-8")
        elif name == "empty":
            self.send_body(200, b"", "application/json")
        elif name == "status":
            code = int(arg)
            body = b"" if code in (204, 304) else b"status %d" % code
            self.send_body(code, body)
        elif name == "retry-after":
            # 429 the first n times per id, then 200.
            if seen <= int(arg):
                secs = query.get("secs", ["1"])[0]
                self.send_body(429, b"slow down", extra=[("Retry-After",
                                                          secs)])
            else:
                self.send_body(200, b"finally")
        elif name == "retry-after-date":
            if seen <= int(arg):
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                self.send_body(503, b"busy", extra=[("Retry-After", when)])
            else:
                self.send_body(200, b"finally")
        elif name == "fail-then-ok":
            if seen <= int(arg):
                self.send_body(500, b"broken", extra=[("X-Attempt",
                                                       str(seen))])
            else:
                self.send_body(200, b"recovered", extra=[("X-Attempt",
                                                          str(seen))])
        elif name == "slow":
            time.sleep(float(query.get("ms", ["5000"])[0]) / 1000)
            self.send_body(200, b"too late")
        elif name == "big":
            n = int(query.get("n", ["100000"])[0])
            code = int(query.get("status", ["200"])[0])
            self.send_body(code, pattern(n), "application/octet-stream")
        elif name == "gzip":
            body = pattern(int(query.get("n", ["10000"])[0]))
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.send_body(200, gzip.compress(body),
                               "application/octet-stream",
                               [("Content-Encoding", "gzip")])
            else:
                self.send_body(200, body, "application/octet-stream")
        elif name == "headers":
            echo = {k.lower(): v for k, v in self.headers.items()}
            self.send_body(200, json.dumps(echo).encode(),
                           "application/json")
        elif name == "echo":
            self.send_body(200, request_body, "application/octet-stream",
                           [("X-Method", self.command)])
        elif name == "redirect":
            hops = int(arg)
            target = "/ok" if hops <= 1 else "/redirect/%d" % (hops - 1)
            self.send_body(302, b"moved", extra=[("Location", target),
                                                 ("X-Hop", str(hops))])
        elif name == "redirect-to":
            code = int(query.get("code", ["302"])[0])
            self.send_body(code, b"moved",
                           extra=[("Location", query["url"][0])])
        elif name == "chunked":
            self.send_chunked(int(query.get("chunks", ["20"])[0]),
                              int(query.get("size", ["1000"])[0]))
        elif name == "drop":
            # No response at all: the client sees a broken connection.
            self.close_connection = True
        elif name == "stats":
            ident = query.get("id", [""])[0]
            with LOCK:
                stats = {"count": COUNTS.get(ident, 0),
                         "tls_failures": len(TLS_FAILURES)}
            self.send_body(200, json.dumps(stats).encode(),
                           "application/json")
        else:
            self.send_body(404, b"no such endpoint")

    def send_chunked(self, chunks, size):
        body = pattern(chunks * size)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(chunks):
            piece = body[i * size:(i + 1) * size]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            time.sleep(0.005)  # separate reads on the client side
        self.wfile.write(b"0\r\n\r\n")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that time out or hang up are part of the tests


class TLSServer(QuietServer):
    """Handshakes in the request's thread so failures can be counted."""

    def __init__(self, addr, handler, context):
        super().__init__(addr, handler)
        self.context = context

    def finish_request(self, request, client_address):
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            with LOCK:
                TLS_FAILURES.append(str(exc))
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def watch_parent(parent):
    # Belt and braces beside the C side's PR_SET_PDEATHSIG.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=watch_parent, args=(os.getppid(),),
                     daemon=True).start()

    with tempfile.TemporaryDirectory(prefix="ctm-http-cert-") as tmp:
        cert, key = make_certificate(tmp)
        with open(cert, "rb") as src, open(args.port_file + ".pem",
                                           "wb") as dst:
            dst.write(src.read())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        plain = QuietServer(("127.0.0.1", 0), Handler)
        tls = TLSServer(("127.0.0.1", 0), Handler, context)

    for server in (plain, tls):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    # Written whole then renamed, so the reader never sees half a line.
    tmp_name = args.port_file + ".tmp"
    with open(tmp_name, "w") as f:
        f.write("%d %d\n" % (plain.server_address[1], tls.server_address[1]))
    os.rename(tmp_name, args.port_file)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
