#!/usr/bin/env python3
"""A local crt.sh-compatible HTTP server for ctmon's tests and benchmarks.

Speaks the part of crt.sh's web API a monitor uses (see
shared/docs/crtsh.md section 1), from JSON files, on 127.0.0.1 only.
Python 3 standard library only.

COMMAND LINE
  crtsh_server.py [--data DIR]... [--file DOMAIN=PATH]... [--port N]
                  [--port-file FILE] [--transfer chunked|close|length]
                  [--chunk-size BYTES] [--now EPOCH] [--big N]
                  [--big-domain NAME] [--verbose]

  --data DIR        directory of <domain>.json files (crt.sh JSON arrays);
                    repeatable, the first directory holding the file wins
  --file D=PATH     serve PATH for domain D (e.g. a fixture with a long name)
  --port N          port to listen on (default 0: any free port)
  --port-file FILE  write the port there once listening (atomically);
                    without it the port is printed as "PORT <n>" on stdout
  --transfer MODE   how bodies are framed: chunked (default,
                    Transfer-Encoding: chunked), close (no length,
                    Connection: close) or length (Content-Length)
  --chunk-size N    bytes per write (default 1024), so clients receive the
                    body in many pieces
  --now EPOCH       the clock for exclude=expired and synthetic data
                    (default: the real time)
  --big N           serve N synthetic records for --big-domain
  --big-domain D    the synthetic domain (default big.test)

SEARCH API (like https://crt.sh/)
  GET /?dNSName=V&output=json   also domain=, identity=, q=, CN=, commonName=;
                                parameter names are case-insensitive, the
                                first search parameter in crt.sh's own order
                                decides the search type.  "/json?..." and an
                                "Accept: application/json" header also ask
                                for JSON.
  V is the domain: "%.example.com", "%example.com%" and "example.com" are
  the same search, as on crt.sh.  A '%' elsewhere gets crt.sh's 200 HTML
  "Unsupported use of '%'"; q= with digits or a hex hash (a certificate
  lookup) and id= get the 200 HTML "Unsupported output type: json".
  Rows come from <V>.json (or an override set through /_data); a domain
  with no data gives [].  Like crt.sh, each row's name_value is cut down to
  the identities that match ILIKE '%V%' (so notexample.com does come back
  for example.com) and rows with none are dropped; dNSName=/domain= also
  drop identities that cannot be DNS names (spaces, '@'), CN= searches drop
  the common_name key.  exclude=expired drops rows whose not_after is
  before now (or null); deduplicate=Y keeps the lowest id of rows sharing
  issuer_ca_id, serial_number, not_before and not_after.  Output is compact
  JSON, Content-Type application/json, streamed in --chunk-size pieces.

CONTROL API (not counted as searches, not logged)
  GET|POST /_ctl?fault=NAME[&count=N][&...]  queue NAME for the next N
        searches (default 1); faults queue in order.  Names:
          429            HTTP 429 with Retry-After (retry_after=, default 1)
          429-no-retry   HTTP 429 without Retry-After
          503            crt.sh's "Sorry, something went wrong" HTML page
          502            nginx's 502 Bad Gateway HTML page
          html200        200 text/html "<BR><BR>Unsupported output type: json"
          html-as-json   the same HTML fragment labelled application/json
          empty          200 application/json with an empty body
          truncate       the JSON cut at byte at= (default: half), then the
                         connection closes; framing per --transfer (chunked:
                         no final chunk; close: no length at all)
          truncate-length  as truncate, announcing the full Content-Length
          truncate-close   as truncate, without any length (Connection: close)
          slow           sleep delay= seconds (default 5) before answering
          stall          send half the body, sleep delay=, send the rest
          403            text/plain "This user agent has been blocked due
                         to abuse. ..."
          status         HTTP code= (default 500) with a short HTML page
  GET|POST /_ctl?now=EPOCH        set the clock (now= with no value: real)
  GET|POST /_ctl?transfer=MODE    change the framing;  &chunk_size=N too
  GET|POST /_ctl?big=N[&domain=D] serve N synthetic records for D
  GET /_ctl                       the current state as JSON
  POST /_data?domain=D            body: a JSON array; replaces D's rows
  POST /_data?domain=D&append=1   adds the rows instead
  DELETE /_data?domain=D          forgets the override
  GET /_log    JSON list of the searches seen: method, path, query,
               params, headers, time (epoch seconds), fault applied
  GET|POST /_reset  clears faults, log, overrides, clock, big settings
               (back to the command line's)

SYNTHETIC DATA (--big, /_ctl?big=)
  Generated while streaming, never held in memory: precertificate /
  certificate pairs (same issuer and serial, different ids, the lower id
  not always the precertificate), 1 to 40 names per row, a wildcard every
  few rows, 10-key rows with result_count, a null entry_timestamp every
  1000th row, one pair in three already expired.
"""

import argparse
import calendar
import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# crt.sh's search parameters in the order it tries them (web_apis.fnc).
SEARCH_PARAMS = [
    "d", "c", "id", "sha1", "sha256", "asn1", "graph", "nodes", "h", "pv",
    "ctid", "ca", "caid", "caname", "serial", "ski", "spkisha1",
    "spkisha256", "cnlspkisha256", "subjectsha1", "identity", "commonname",
    "cn", "emailaddress", "e", "organizationalunitname", "ou",
    "organizationname", "o", "dnsname", "domain", "rfc822name", "esan",
    "ipaddress", "ip", "q", "a", "s",
]
IDENTITY_SEARCHES = {"identity", "q"}
DNS_SEARCHES = {"dnsname", "domain"}
CN_SEARCHES = {"commonname", "cn"}
CERT_LOOKUPS = {"d", "c", "id", "sha1", "sha256", "asn1", "graph", "pv"}

HTML_HEAD = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">\n'
             '<HTML>\n<HEAD>\n  <META http-equiv="Content-Type" '
             'content="text/html; charset=UTF-8">\n  <TITLE>crt.sh | %s'
             '</TITLE>\n</HEAD>\n<BODY>\n')
UNSUPPORTED_OUTPUT = "<BR><BR>Unsupported output type: json"
SORRY_PAGE = (HTML_HEAD % "ERROR" +
              '<H1>Sorry, something went wrong... :-(</H1>\n'
              '<P>Your request was terminated by the crt.sh database server '
              'after 30 seconds because it exceeded the statement timeout.'
              '</P>\n<P>Unfortunately, searches that would produce many '
              'results may never succeed.</P>\n<TEXTAREA>ERROR: canceling '
              'statement due to statement timeout</TEXTAREA>\n'
              '</BODY>\n</HTML>\n')
NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
             "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
             "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
ABUSE_403 = ("This user agent has been blocked due to abuse. Can we interest "
             "you in direct access to the crt.sh database instead?\n")
FAULTS = {"429", "429-no-retry", "503", "502", "html200", "html-as-json",
          "empty", "truncate", "truncate-length", "truncate-close", "slow",
          "stall", "403", "status"}
TRANSFERS = {"chunked", "close", "length"}

CAS = [
    (16418, "C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3"),
    (185756, "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1"),
    (1465, 'C=US, O="thawte, Inc.", CN=thawte SSL CA - G2'),
    (183267, "C=US, O=Let's Encrypt, CN=R3"),
    (-1, "Issuer Not Found"),
]


def iso(t, millis=None):
    """UTC seconds -> crt.sh's timestamp text (trailing zeros dropped)."""
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    if millis:
        s += ("." + "%03d" % millis).rstrip("0")
    return s


def parse_iso(s):
    """crt.sh timestamp -> UTC seconds, None if absent or unreadable."""
    if not isinstance(s, str):
        return None
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)", s)
    if not m:
        return None
    return calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))


def synthetic_row(i, domain, now):
    """Row i of the synthetic answer: rows 2k and 2k+1 are one issuance."""
    pair = i // 2
    h = hashlib.sha256(b"%d" % pair).hexdigest()
    ca_id, ca_name = CAS[pair % len(CAS)]
    # The lower id is the precertificate only three times in four.
    swap = (pair % 4 == 3)
    cert_id = 9000000000 + 2 * pair + ((i % 2) ^ swap)
    n_names = 1 + int(h[:2], 16) % 40
    names = ["%s-%d.%s" % ("host%d" % pair, j, domain) for j in range(n_names)]
    if pair % 7 == 0:
        names.append("*.%s" % domain)
    cn = names[0]
    if pair % 3 == 0:  # expired
        not_after = now - 86400 * (1 + pair % 30)
    else:
        not_after = now + 86400 * (1 + pair % 60)
    not_before = not_after - 90 * 86400
    entry = None
    if i % 1000 != 999:
        entry = iso(not_before + 60 + (i % 2) * 7, (i * 37) % 1000)
    serial = ("00" if h[2] >= "8" else "") + h[4:36]
    return {
        "issuer_ca_id": ca_id,
        "issuer_name": ca_name,
        "common_name": cn,
        "name_value": "\n".join(sorted(names)),
        "id": cert_id,
        "entry_timestamp": entry,
        "not_before": iso(not_before),
        "not_after": iso(not_after),
        "serial_number": serial,
        "result_count": len(names) + 1,
    }


class State:
    """Everything the control API changes, behind one lock."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.faults = []
            self.log = []
            self.overrides = {}
            self.now = self.args.now
            self.transfer = self.args.transfer
            self.chunk_size = self.args.chunk_size
            self.big = {}
            if self.args.big:
                self.big[self.args.big_domain.lower()] = self.args.big

    def clock(self):
        return self.now if self.now is not None else int(time.time())

    def take_fault(self):
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            fault["count"] -= 1
            if fault["count"] <= 0:
                self.faults.pop(0)
            return dict(fault)

    def rows_for(self, domain):
        """The stored rows of a domain: override, --file, then --data."""
        with self.lock:
            if domain in self.overrides:
                return list(self.overrides[domain])
        path = self.args.files.get(domain)
        if path is None and re.match(r"^[a-z0-9*._-]+$", domain):
            for d in self.args.data:
                p = os.path.join(d, domain + ".json")
                if os.path.isfile(p):
                    path = p
                    break
        if path is None:
            return []
        with open(path, "rb") as f:
            return json.load(f)


def search_value(raw):
    """crt.sh's '%' rules: returns (value, error text or None)."""
    v = raw.strip()
    if v == "%":
        return None, "Value not permitted: '%'"
    if v.startswith("%.") and "%" not in v[2:]:
        return v[2:], None
    if v.startswith("%") and v.endswith("%") and "%" not in v[1:-1]:
        return v[1:-1], None
    if v.endswith("%") and "%" not in v[:-1]:
        return v[:-1], None  # prefix search; served as a substring one
    if "%" in v:
        return None, "Unsupported use of '%'"
    return v, None


def filter_rows(rows, kind, value, params, now):
    """Applies crt.sh's matching and modifiers to stored rows."""
    needle = value.lower()
    exact = params.get("match", "").upper() not in ("", "ILIKE", "LIKE",
                                                    "SINGLE", "ANY", "FTS")
    out = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        idents = (row.get("name_value") or "").split("\n")
        if exact:
            matched = [n for n in idents if n.lower() == needle]
        else:
            matched = [n for n in idents if needle in n.lower()]
        if kind in DNS_SEARCHES:
            matched = [n for n in matched if " " not in n and "@" not in n]
        if not matched:
            continue
        row = dict(row)
        row["name_value"] = "\n".join(matched)
        if kind in CN_SEARCHES:
            row.pop("common_name", None)
        out.append(row)
    if params.get("exclude", "").lower() == "expired":
        out = [r for r in out
               if (parse_iso(r.get("not_after")) or -1) >= now]
    if params.get("deduplicate", "").upper() == "Y":
        def key(r):
            return (r.get("issuer_ca_id"), r.get("serial_number"),
                    r.get("not_before"), r.get("not_after"))
        lowest = {}
        for r in out:
            if r.get("serial_number") is not None and \
                    (key(r) not in lowest or r["id"] < lowest[key(r)]):
                lowest[key(r)] = r["id"]
        out = [r for r in out if r.get("serial_number") is None or
               lowest[key(r)] == r["id"]]
    return out


def encode_row(row):
    return json.dumps(row, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def json_pieces(rows):
    """The body as a stream of byte strings: '[', rows, ',', ']'."""
    yield b"["
    first = True
    for row in rows:
        if not first:
            yield b","
        first = False
        yield encode_row(row)
    yield b"]"


def big_rows(n, domain, params, now):
    expired_only = params.get("exclude", "").lower() == "expired"
    for i in range(n):
        row = synthetic_row(i, domain, now)
        if expired_only and parse_iso(row["not_after"]) < now:
            continue
        yield row


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "nginx"

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("crtsh_server: " + (fmt % args) + "\n")

    # -- plumbing ---------------------------------------------------------

    def send_simple(self, code, body, ctype, headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json_value(self, value, code=200):
        self.send_simple(code, json.dumps(value, indent=1) + "\n",
                         "application/json")

    def write_chunk(self, data, chunked):
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            self.wfile.write(data)
        self.wfile.flush()

    def stream(self, make_pieces, ctype="application/json", fault=None):
        """Sends make_pieces() in --chunk-size writes, applying a
        truncate/stall fault.  make_pieces is called twice when the full
        length must be known before the body is sent."""
        st = self.server.state
        name = fault["name"] if fault else ""
        transfer = {"truncate-length": "length",
                    "truncate-close": "close"}.get(name, st.transfer)
        total = None
        if transfer == "length" or name.startswith("truncate") or \
                name == "stall":
            total = sum(len(p) for p in make_pieces())
        cut = None
        if name.startswith("truncate"):
            cut = int(fault.get("at") or max(1, total // 2))
            cut = max(0, min(cut, total - 1))
        stall = {"at": total // 2 if name == "stall" else None}
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if transfer == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif transfer == "length":
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        chunked = transfer == "chunked"
        size = max(1, st.chunk_size)
        sent = 0

        def send(data):
            """Writes data in pieces; False once the connection is cut."""
            nonlocal sent
            view = memoryview(data)
            while True:
                if cut is not None and sent >= cut:
                    self.abort_connection()
                    return False
                if stall["at"] is not None and sent >= stall["at"]:
                    time.sleep(float(fault.get("delay") or 5))
                    stall["at"] = None
                if not view:
                    return True
                n = min(len(view), size)
                if cut is not None:
                    n = min(n, cut - sent)
                if stall["at"] is not None:
                    n = min(n, stall["at"] - sent)
                self.write_chunk(bytes(view[:n]), chunked)
                view = view[n:]
                sent += n

        buf = bytearray()
        for piece in make_pieces():
            buf += piece
            if len(buf) >= size:
                whole = len(buf) - len(buf) % size
                if not send(bytes(buf[:whole])):
                    return
                del buf[:whole]
        if not send(bytes(buf)):
            return
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def abort_connection(self):
        """Ends the response mid-body: no final chunk, socket closed."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def params(self):
        """Query parameters, names lower-cased, first occurrence wins."""
        out = {}
        for k, v in parse_qsl(urlsplit(self.path).query,
                              keep_blank_values=True):
            out.setdefault(k.lower(), v)
        return out

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # -- control API ------------------------------------------------------

    def control(self):
        st = self.server.state
        path = urlsplit(self.path).path
        p = self.params()
        if path == "/_reset":
            st.reset()
            return self.send_json_value({"reset": True})
        if path == "/_log":
            with st.lock:
                return self.send_json_value(list(st.log))
        if path == "/_data":
            return self.control_data(p)
        if path != "/_ctl":
            return self.send_simple(404, "not found\n", "text/plain")
        if self.command == "POST":
            self.read_body()
        with st.lock:
            if "fault" in p:
                if p["fault"] not in FAULTS:
                    return self.send_json_value(
                        {"error": "unknown fault %r" % p["fault"],
                         "faults": sorted(FAULTS)}, 400)
                fault = {"name": p["fault"],
                         "count": int(p.get("count") or 1)}
                for k in ("retry_after", "at", "delay", "code"):
                    if k in p:
                        fault[k] = p[k]
                st.faults.append(fault)
            if "now" in p:
                st.now = int(p["now"]) if p["now"] else None
            if "transfer" in p:
                if p["transfer"] not in TRANSFERS:
                    return self.send_json_value(
                        {"error": "transfer must be one of %s"
                         % sorted(TRANSFERS)}, 400)
                st.transfer = p["transfer"]
            if "chunk_size" in p:
                st.chunk_size = int(p["chunk_size"])
            if "big" in p:
                dom = p.get("domain", st.args.big_domain).lower()
                st.big[dom] = int(p["big"])
            state = {"faults": list(st.faults), "now": st.now,
                     "transfer": st.transfer, "chunk_size": st.chunk_size,
                     "big": dict(st.big),
                     "overrides": sorted(st.overrides)}
        return self.send_json_value(state)

    def control_data(self, p):
        st = self.server.state
        dom = p.get("domain", "").lower()
        if not dom:
            return self.send_json_value({"error": "domain= missing"}, 400)
        if self.command == "DELETE":
            with st.lock:
                st.overrides.pop(dom, None)
            return self.send_json_value({"deleted": dom})
        if self.command != "POST":
            return self.send_json_value({"error": "POST or DELETE"}, 405)
        try:
            rows = json.loads(self.read_body() or b"[]")
        except ValueError as e:
            return self.send_json_value({"error": str(e)}, 400)
        if not isinstance(rows, list):
            return self.send_json_value({"error": "a JSON array"}, 400)
        with st.lock:
            if p.get("append"):
                st.overrides.setdefault(dom, []).extend(rows)
            else:
                st.overrides[dom] = rows
            n = len(st.overrides[dom])
        return self.send_json_value({"domain": dom, "rows": n})

    # -- the search API ---------------------------------------------------

    def apply_fault(self, fault):
        """Answers for a fault that replaces the response; returns False
        for faults that shape the normal response instead."""
        name = fault["name"]
        if name == "429":
            self.send_simple(429, HTML_HEAD % "429" + "Too Many Requests\n",
                             "text/html",
                             [("Retry-After", fault.get("retry_after", "1"))])
        elif name == "429-no-retry":
            self.send_simple(429, HTML_HEAD % "429" + "Too Many Requests\n",
                             "text/html")
        elif name == "503":
            self.send_simple(503, SORRY_PAGE, "text/html; charset=UTF-8")
        elif name == "502":
            self.send_simple(502, NGINX_502, "text/html")
        elif name == "html200":
            self.send_simple(200, UNSUPPORTED_OUTPUT, "text/html",
                             [("Cache-Control", "max-age=300")])
        elif name == "html-as-json":
            self.send_simple(200, UNSUPPORTED_OUTPUT, "application/json")
        elif name == "empty":
            self.send_simple(200, b"", "application/json")
        elif name == "403":
            self.send_simple(403, ABUSE_403, "text/plain; charset=utf-8")
        elif name == "status":
            code = int(fault.get("code") or 500)
            self.send_simple(code, HTML_HEAD % code + "Error %d\n" % code,
                             "text/html")
        elif name == "slow":
            time.sleep(float(fault.get("delay") or 5))
            return False
        else:
            return False
        return True

    def search(self):
        st = self.server.state
        p = self.params()
        fault = st.take_fault()
        with st.lock:
            st.log.append({
                "method": self.command,
                "path": urlsplit(self.path).path,
                "query": urlsplit(self.path).query,
                "params": p,
                "headers": {k: v for k, v in self.headers.items()},
                "time": time.time(),
                "fault": fault["name"] if fault else None,
            })
        if fault and self.apply_fault(fault):
            return
        kind = next((k for k in SEARCH_PARAMS if p.get(k, "").strip()), None)
        want_json = (p.get("output", "").lower() == "json" or
                     urlsplit(self.path).path == "/json" or
                     self.headers.get("Accept") == "application/json")
        if kind is None:
            return self.send_simple(200, HTML_HEAD % "Certificate Search" +
                                    "<H1>crt.sh</H1></BODY></HTML>\n",
                                    "text/html; charset=UTF-8")
        raw = p[kind]
        if kind == "q" and re.match(r"^([0-9]+|[0-9a-fA-F]{40}|"
                                    r"[0-9a-fA-F]{64})$", raw.strip()):
            kind = "id"
        if kind in CERT_LOOKUPS or kind not in (IDENTITY_SEARCHES |
                                                DNS_SEARCHES | CN_SEARCHES):
            if want_json:
                return self.send_simple(200, UNSUPPORTED_OUTPUT, "text/html")
            return self.send_simple(200, HTML_HEAD % raw + "</BODY></HTML>",
                                    "text/html; charset=UTF-8")
        value, err = search_value(raw)
        if err:
            return self.send_simple(200, "<BR><BR>" + err, "text/html")
        if not want_json:
            return self.send_simple(200, HTML_HEAD % value +
                                    "</BODY></HTML>\n",
                                    "text/html; charset=UTF-8")
        now = st.clock()
        dom = value.lower()
        with st.lock:
            big = st.big.get(dom)
        if big:
            return self.stream(
                lambda: json_pieces(big_rows(big, dom, p, now)), fault=fault)
        rows = filter_rows(st.rows_for(dom), kind, value, p, now)
        self.stream(lambda: json_pieces(rows), fault=fault)

    def dispatch(self):
        try:
            if urlsplit(self.path).path.startswith("/_"):
                try:
                    self.control()
                except ValueError as e:
                    self.send_json_value({"error": str(e)}, 400)
            elif self.command in ("GET", "HEAD"):
                self.search()
            else:
                self.send_simple(405, "method not allowed\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_DELETE = dispatch


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--transfer", choices=sorted(TRANSFERS),
                    default="chunked")
    ap.add_argument("--chunk-size", type=int, default=1024)
    ap.add_argument("--now", type=int)
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--big-domain", default="big.test")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    files = {}
    for spec in args.file:
        dom, sep, path = spec.partition("=")
        if not sep or not dom or not path:
            ap.error("--file wants DOMAIN=PATH, got %r" % spec)
        files[dom.lower()] = path
    args.files = files
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args)
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
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
