#!/usr/bin/env python3
"""A local Certificate Transparency log for ctmon's tests and benchmarks.

Serves one log over BOTH read protocols, on 127.0.0.1 only, from
certificates it makes itself (Debian's python3-cryptography) and signed
with real P-256 keys:

  /rfc6962/ct/v1/get-sth, get-entries, get-sth-consistency,
                 get-entry-and-proof                     (RFC 6962)
  /static/checkpoint, tile/<L>/<N>[.p/<W>], tile/data/<N>[.p/<W>],
          issuer/<sha256 hex>                            (static-ct-api)

The two are separate logs (own key, own tree: static leaves carry the
leaf_index extension) over the same certificates.  Entry i is a plain
certificate, or with --pair-every K a precertificate (entry i) and its
final certificate (entry i+1) sharing a TBS.  Names: entry i gets
"n<i>.<domain>" with the domains of --domains in turn.

COMMAND LINE
  ctlog_server.py [--port-file F] [--entries N] [--domains a,b]
                  [--pair-every K] [--unparsable I,J] [--max-batch M]
                  [--pool P] [--state-dir D]

  --entries N     initial tree size (default 16)
  --pool P        distinct certificates; entry i uses certificate i % P
                  (timestamps still differ) - for million-entry benchmarks
  --unparsable    indices whose certificate bytes are not a certificate
  --max-batch M   get-entries answers at most M entries (short responses)
  --state-dir D   keys are kept there so a restarted server is the same log
  --no-static     RFC 6962 only (benchmarks: half the start-up hashing)

CONTROL (not logged)
  /_ctl?grow=N         append N entries (a growing tree)
  /_ctl?mode=M         normal | bad_sig (STH/checkpoint signatures are
                       wrong) | inconsistent (the signed root is of a tree
                       whose entry 0 differs) | extra_entries (get-entries
                       answers one entry more than asked)
  /_ctl?fail429=N      the next N get-entries / data tile requests get 429
                       with Retry-After: 1
  /_info               JSON: size, keys, log ids, URLs, origin
  /_log                JSON: request counts by endpoint
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SCT_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
BASE_MS = 1767225600000  # 2026-01-01


def sha256(b):
    return hashlib.sha256(b).digest()


def node(l, r):
    return sha256(b"\x01" + l + r)


def u24(b):
    return len(b).to_bytes(3, "big") + b


class Tree:
    """Leaf hashes plus every perfect subtree, for roots and proofs."""

    def __init__(self):
        self.levels = [[]]

    def append(self, leaf_hash):
        self.levels[0].append(leaf_hash)
        lvl = 0
        while len(self.levels[lvl]) % 2 == 0:
            if len(self.levels) == lvl + 1:
                self.levels.append([])
            a = self.levels[lvl]
            self.levels[lvl + 1].append(node(a[-2], a[-1]))
            lvl += 1

    def size(self):
        return len(self.levels[0])

    def mth(self, lo, hi):
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = 1 << ((n - 1).bit_length() - 1)
        return node(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def path(self, m, lo, hi):  # RFC 6962 2.1.1, leaf m in [lo, hi)
        n = hi - lo
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m - lo < k:
            return self.path(m, lo, lo + k) + [self.mth(lo + k, hi)]
        return self.path(m, lo + k, hi) + [self.mth(lo, lo + k)]

    def subproof(self, m, lo, hi, b):  # RFC 6962 2.1.2
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return self.subproof(m, lo, lo + k, b) + [self.mth(lo + k, hi)]
        return self.subproof(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]


class Log:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.domains = args.domains.split(",")
        self.pair_every = args.pair_every
        self.unparsable = set(int(x) for x in args.unparsable.split(",") if x)
        self.pool = args.pool
        self.no_static = args.no_static
        self.mode = "normal"
        self.fail429 = 0
        self.counts = {}
        self.rfc_key = self._key(args.state_dir, "rfc6962.pem")
        self.static_key = self._key(args.state_dir, "static.pem")
        self.ca_key = self._key(args.state_dir, "ca.pem")
        self.leaf_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                             "ctmon test CA"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                             "ctmon, tests")])
        self.ca_name = name
        self.ca = (x509.CertificateBuilder().subject_name(name)
                   .issuer_name(name).public_key(self.ca_key.public_key())
                   .serial_number(1).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=True,
                                                        path_length=None),
                                  critical=True)
                   .sign(self.ca_key, hashes.SHA256()))
        self.ca_der = self.ca.public_bytes(serialization.Encoding.DER)
        self.ca_fp = sha256(self.ca_der)
        self.ikh = sha256(self.ca_key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo))
        self.now = now
        self.certs = {}      # pool slot -> (kind, cert_or_tbs, precert)
        self.rfc = Tree()
        self.static = Tree()
        self.entries = []    # per index: pool slot
        self.grow(args.entries)

    @staticmethod
    def _key(state_dir, name):
        path = os.path.join(state_dir, name) if state_dir else None
        if path and os.path.exists(path):
            with open(path, "rb") as f:
                return serialization.load_pem_private_key(f.read(), None)
        k = ec.generate_private_key(ec.SECP256R1())
        if path:
            with open(path, "wb") as f:
                f.write(k.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
        return k

    def _builder(self, i, serial):
        dom = self.domains[i % len(self.domains)]
        san = x509.SubjectAlternativeName([x509.DNSName("n%d.%s" % (i, dom))])
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(
                    NameOID.COMMON_NAME, "n%d.%s" % (i, dom))]))
                .issuer_name(self.ca_name)
                .public_key(self.leaf_key.public_key())
                .serial_number(serial)
                .not_valid_before(self.now)
                .not_valid_after(self.now + datetime.timedelta(days=90))
                .add_extension(san, critical=False))

    def _make(self, slot):
        """Entry kinds: ('x509', der) / ('precert', tbs, precert_der) /
        ('bad', bytes)."""
        if slot in self.unparsable:
            return ("bad", b"\x30\x03\x02\x01\x00")
        k = self.pair_every
        serial = 1000 + slot
        if k and slot % k == 0:
            pre = self._builder(slot, serial).add_extension(
                x509.PrecertPoison(), critical=True).sign(
                    self.ca_key, hashes.SHA256())
            # The TBS without poison: the same certificate with only SAN.
            bare = self._builder(slot, serial).sign(self.ca_key,
                                                    hashes.SHA256())
            return ("precert", bare.tbs_certificate_bytes,
                    pre.public_bytes(serialization.Encoding.DER))
        if k and slot % k == 1:
            # The final certificate of the precert before it: same TBS
            # plus an SCT list (a syntactically valid dummy SCT).
            sct = (b"\x00" + b"\x11" * 32 + struct.pack(">Q", BASE_MS) +
                   b"\x00\x00" + b"\x04\x03\x00\x02\x30\x00")
            lst = struct.pack(">H", len(sct) + 2) + struct.pack(
                ">H", len(sct)) + sct
            value = b"\x04" + bytes([len(lst)]) + lst
            fin = self._builder(slot - 1, 1000 + slot - 1).add_extension(
                x509.UnrecognizedExtension(SCT_OID, value),
                critical=False).sign(self.ca_key, hashes.SHA256())
            return ("x509", fin.public_bytes(serialization.Encoding.DER))
        c = self._builder(slot, serial).sign(self.ca_key, hashes.SHA256())
        return ("x509", c.public_bytes(serialization.Encoding.DER))

    def _slot(self, i):
        return i % self.pool if self.pool else i

    def _entry(self, i):
        slot = self._slot(i)
        if slot not in self.certs:
            self.certs[slot] = self._make(slot)
        return self.certs[slot]

    def timestamped(self, i, static):
        e = self._entry(i)
        ts = struct.pack(">Q", BASE_MS + i)
        if e[0] == "precert":
            body = b"\x00\x01" + self.ikh + u24(e[1])
        else:
            body = b"\x00\x00" + u24(e[1])
        ext = (b"\x00\x08\x00\x00\x05" + i.to_bytes(5, "big") if static
               else b"\x00\x00")
        return ts + body + ext

    def leaf_input(self, i, static=False):
        return b"\x00\x00" + self.timestamped(i, static)

    def extra_data(self, i):
        e = self._entry(i)
        chain = u24(u24(self.ca_der))
        if e[0] == "precert":
            return u24(e[2]) + chain
        return chain

    def tile_leaf(self, i):
        e = self._entry(i)
        out = self.timestamped(i, True)
        if e[0] == "precert":
            out += u24(e[2])
        return out + struct.pack(">H", 32) + self.ca_fp

    def grow(self, n):
        for _ in range(n):
            i = len(self.entries)
            self.entries.append(self._slot(i))
            self.rfc.append(sha256(b"\x00" + self.leaf_input(i)))
            if not self.no_static:
                self.static.append(sha256(b"\x00" +
                                          self.leaf_input(i, True)))

    # ---- signatures ----
    def signed_root(self, tree, size):
        if self.mode == "inconsistent" and size > 0:
            # Another tree: entry 0's hash differs.
            bogus = Tree()
            bogus.append(sha256(b"not the real entry 0"))
            for h in tree.levels[0][1:size]:
                bogus.append(h)
            return bogus.mth(0, size)
        return tree.mth(0, size)

    def sign(self, key, ts, size, root):
        msg = b"\x00\x01" + struct.pack(">QQ", ts, size) + root
        if self.mode == "bad_sig":
            msg = b"\x00\x01" + struct.pack(">QQ", ts, size + 1) + root
        sig = key.sign(msg, ec.ECDSA(hashes.SHA256()))
        return b"\x04\x03" + struct.pack(">H", len(sig)) + sig


def spki(key):
    return key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_message = lambda *a: None  # noqa: E731

    def send(self, status, body, ctype="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self):
        log = self.server.log
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        p = u.path
        if p == "/_ctl":
            with log.lock:
                if "grow" in q:
                    log.grow(int(q["grow"]))
                if "mode" in q:
                    log.mode = q["mode"]
                if "fail429" in q:
                    log.fail429 = int(q["fail429"])
            return self.send(200, "{}")
        if p == "/_info":
            return self.send(200, json.dumps(self.info()))
        if p == "/_log":
            return self.send(200, json.dumps(log.counts))
        name = re.sub(r"\d+", "N", p)
        with log.lock:
            log.counts[name] = log.counts.get(name, 0) + 1
            bulk = p.endswith("get-entries") or p.startswith("/static/tile/data")
            if bulk and log.fail429 > 0:
                log.fail429 -= 1
                return self.send(429, '{"error":"slow down"}',
                                 headers=[("Retry-After", "1")])
        if p.startswith("/rfc6962/ct/v1/"):
            return self.rfc6962(p[len("/rfc6962/ct/v1/"):], q)
        if p.startswith("/static/"):
            return self.static(p[len("/static/"):])
        self.send(404, "not found", "text/plain")

    def info(self):
        log = self.server.log
        port = self.server.server_address[1]
        base = "http://127.0.0.1:%d" % port
        return {
            "size": log.rfc.size(),
            "rfc6962_url": base + "/rfc6962/",
            "rfc6962_key": base64.b64encode(spki(log.rfc_key)).decode(),
            "rfc6962_log_id": base64.b64encode(
                sha256(spki(log.rfc_key))).decode(),
            "static_monitoring_url": base + "/static/",
            "static_submission_url": base + "/static/",
            "static_origin": "127.0.0.1:%d/static" % port,
            "static_key": base64.b64encode(spki(log.static_key)).decode(),
            "static_log_id": base64.b64encode(
                sha256(spki(log.static_key))).decode(),
        }

    def rfc6962(self, ep, q):
        log = self.server.log
        with log.lock:
            size = log.rfc.size()
            tree = log.rfc
            if ep == "get-sth":
                ts = BASE_MS + 10 ** 6 + size
                root = log.signed_root(tree, size)
                sig = log.sign(log.rfc_key, ts, size, root)
                return self.send(200, json.dumps({
                    "tree_size": size, "timestamp": ts,
                    "sha256_root_hash": base64.b64encode(root).decode(),
                    "tree_head_signature": base64.b64encode(sig).decode()}))
            if ep == "get-sth-consistency":
                a, b = int(q["first"]), int(q["second"])
                if not 0 < a <= b <= size:
                    return self.send(400, '{"error":"bad range"}')
                proof = tree.subproof(a, 0, b, True)
                return self.send(200, json.dumps({"consistency": [
                    base64.b64encode(h).decode() for h in proof]}))
            if ep == "get-entry-and-proof":
                i, n = int(q["leaf_index"]), int(q["tree_size"])
                if not 0 <= i < n <= size:
                    return self.send(400, '{"error":"bad range"}')
                return self.send(200, json.dumps({
                    "leaf_input": base64.b64encode(
                        log.leaf_input(i)).decode(),
                    "extra_data": base64.b64encode(
                        log.extra_data(i)).decode(),
                    "audit_path": [base64.b64encode(h).decode()
                                   for h in tree.path(i, 0, n)]}))
            if ep == "get-entries":
                start, end = int(q["start"]), int(q["end"])
                if start < 0 or end < start or start >= size:
                    return self.send(400, '{"error":"bad range"}')
                end = min(end, size - 1)
                if self.server.max_batch:
                    end = min(end, start + self.server.max_batch - 1)
                if log.mode == "extra_entries":
                    end += 1
                idx = range(start, end + 1)
                parts = ['{"leaf_input":"%s","extra_data":"%s"}' % (
                    base64.b64encode(log.leaf_input(i)).decode(),
                    base64.b64encode(log.extra_data(i)).decode())
                    for i in idx]
        if ep == "get-entries":
            return self.send(200, '{"entries":[' + ",".join(parts) + "]}")
        self.send(404, '{"error":"unknown endpoint"}')

    def static(self, rest):
        log = self.server.log
        with log.lock:
            size = log.static.size()
            if rest == "checkpoint":
                origin = self.info()["static_origin"]
                ts = BASE_MS + 10 ** 6 + size
                root = log.signed_root(log.static, size)
                ds = log.sign(log.static_key, ts, size, root)
                kid = sha256(origin.encode() + b"\x0a\x05" +
                             sha256(spki(log.static_key)))[:4]
                sig = base64.b64encode(kid + struct.pack(">Q", ts) +
                                       ds).decode()
                body = "%s\n%d\n%s\n\n\u2014 %s %s\n\u2014 grease.invalid %s\n" % (
                    origin, size, base64.b64encode(root).decode(), origin,
                    sig, base64.b64encode(b"\x00" * 40).decode())
                return self.send(200, body, "text/plain; charset=utf-8")
            if rest.startswith("issuer/"):
                if rest[7:] == log.ca_fp.hex():
                    return self.send(200, log.ca_der, "application/pkix-cert")
                return self.send(404, "no", "text/plain")
            m = re.fullmatch(r"tile/(data|\d)/((?:x\d{3}/)*\d{3})(?:\.p/(\d+))?",
                             rest)
            if not m:
                return self.send(404, "no", "text/plain")
            index = int(m.group(2).replace("x", "").replace("/", ""))
            width = int(m.group(3)) if m.group(3) else 256
            level = -1 if m.group(1) == "data" else int(m.group(1))
            span = 256 ** (level + 1) if level >= 0 else 256
            unit = span // 256
            avail = min(256, max(0, (size - index * span) // unit))
            if width > avail or (m.group(3) and width == 256):
                return self.send(404, "no such tile", "text/plain")
            lo = index * 256
            if level < 0:
                body = b"".join(log.tile_leaf(i)
                                for i in range(lo, lo + width))
            else:
                lv = log.static.levels
                body = b"".join(lv[8 * level][j]
                                for j in range(lo, lo + width))
        self.send(200, body, "application/octet-stream")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--entries", type=int, default=16)
    ap.add_argument("--domains", default="example.com,other.test")
    ap.add_argument("--pair-every", type=int, default=0)
    ap.add_argument("--unparsable", default="")
    ap.add_argument("--max-batch", type=int, default=0)
    ap.add_argument("--pool", type=int, default=0)
    ap.add_argument("--state-dir")
    ap.add_argument("--no-static", action="store_true",
                    help="serve RFC 6962 only (faster start for benchmarks)")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.log = Log(args)
    srv.max_batch = args.max_batch
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    else:
        print("PORT %d" % port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
