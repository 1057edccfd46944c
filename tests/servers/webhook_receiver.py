#!/usr/bin/env python3
"""A local webhook receiver for ctmon's notifier tests.

Accepts POSTs on any path like Slack, Teams, Discord or a generic JSON
endpoint would, records every request, and fails on demand.  Python 3
standard library only; listens on 127.0.0.1 only.

COMMAND LINE
  webhook_receiver.py [--port N] [--port-file FILE] [--log-file FILE]
                      [--tls-cert PEM --tls-key PEM] [--status N]

  --port N          port to listen on (default 0: any free port); give the
                    same port again to restart the receiver after an outage
  --port-file FILE  write the port there once listening (atomically)
  --log-file FILE   also append each request as one JSON line (survives a
                    restart of the receiver)
  --tls-cert/--tls-key  serve https with this certificate and key
  --status N        status of a normal answer (default 200; Discord: 204)

RECEIVING
  POST <any path>   recorded; answered --status with body "ok", unless a
                    queued fault applies

CONTROL (not recorded)
  GET /_ctl?fault=NAME[&count=N][&retry_after=S][&delay=S][&code=N]
        queue NAME for the next N requests (default 1), in order:
          500        HTTP 500 "internal error"
          429        HTTP 429 with Retry-After: S (default 1); no header
                     with retry_after=none
          timeout    sleep delay= seconds (default 5), then answer 200
                     (the client has given up by then: not a delivery)
          status     HTTP code= (default 400) with body "invalid_payload"
          redirect   HTTP code= (use 301/302/303/307/308) with
                     Location: to= (a redirected POST is not a delivery)
          pass       the normal answer (to fail only a later request)
  GET /_log     JSON list of requests: path, headers, body (text), json
                (parsed body or null), status answered, fault, time
  GET /_reset   clears faults and the log
"""

import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class State:
    def __init__(self, status, log_file):
        self.lock = threading.Lock()
        self.faults = []   # list of dicts, consumed in order
        self.log = []
        self.status = status
        self.log_file = log_file

    def take_fault(self):
        with self.lock:
            if not self.faults:
                return None
            f = self.faults[0]
            f["count"] -= 1
            if f["count"] <= 0:
                self.faults.pop(0)
            return dict(f)

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.log_file:
                with open(self.log_file, "a") as f:
                    f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webhook-receiver/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        url = urlsplit(self.path)
        q = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/_ctl":
            fault = {"name": q.get("fault", ""),
                     "count": int(q.get("count", "1")),
                     "retry_after": q.get("retry_after", "1"),
                     "delay": float(q.get("delay", "5")),
                     "code": int(q.get("code", "400")),
                     "to": q.get("to", "/")}
            if fault["name"] not in ("500", "429", "timeout", "status",
                                     "redirect", "pass"):
                self.answer(400, b"unknown fault")
                return
            with st.lock:
                st.faults.append(fault)
            self.answer(200, b"queued")
        elif url.path == "/_log":
            with st.lock:
                body = json.dumps(st.log).encode()
            self.answer(200, body, [("Content-Type", "application/json")])
        elif url.path == "/_reset":
            with st.lock:
                st.faults.clear()
                st.log.clear()
            self.answer(200, b"reset")
        else:
            self.answer(404, b"not found")

    def do_POST(self):
        st = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        text = raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            parsed = None
        fault = st.take_fault()
        entry = {"path": self.path, "headers": dict(self.headers.items()),
                 "body": text, "json": parsed, "time": time.time(),
                 "fault": fault["name"] if fault else None,
                 "utf8": _is_utf8(raw)}
        if fault and fault["name"] == "timeout":
            time.sleep(fault["delay"])
        if fault and fault["name"] == "500":
            entry["status"] = 500
            st.record(entry)
            self.answer(500, b"internal error")
        elif fault and fault["name"] == "429":
            entry["status"] = 429
            st.record(entry)
            hdrs = []
            if fault["retry_after"] != "none":
                hdrs.append(("Retry-After", fault["retry_after"]))
            self.answer(429, b"rate limited", hdrs)
        elif fault and fault["name"] == "redirect":
            entry["status"] = fault["code"]
            st.record(entry)
            self.answer(fault["code"], b"moved", [("Location", fault["to"])])
        elif fault and fault["name"] == "status":
            entry["status"] = fault["code"]
            st.record(entry)
            self.answer(fault["code"], b"invalid_payload")
        else:
            entry["status"] = st.status
            st.record(entry)
            try:
                self.answer(st.status, b"" if st.status == 204 else b"ok")
            except OSError:
                pass  # the client gave up (timeout fault)


def _is_utf8(raw):
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log-file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--status", type=int, default=200)
    args = ap.parse_args(argv)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args.status, args.log_file)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    else:
        print("PORT %d" % port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
