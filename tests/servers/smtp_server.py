#!/usr/bin/env python3
"""A real SMTP server for ctmon's email notifier tests: Debian's
python3-aiosmtpd on 127.0.0.1, with STARTTLS or implicit TLS and AUTH.

COMMAND LINE
  smtp_server.py --spool DIR --cert PEM --key PEM [--port N]
                 [--port-file FILE] [--tls starttls|implicit]
                 [--user U --password P]

  --spool DIR       each accepted message is saved as DIR/NNNN.eml (the
                    bytes received, dot-unstuffed) with DIR/NNNN.json:
                    {"mail_from", "rcpt_tos", "auth_user", "tls"}
  --cert/--key      the server's certificate (tests make a self-signed
                    one with openssl and give it to ctmon as ca_file)
  --tls starttls    (default) plain connect, STARTTLS required before
                    anything else; implicit: TLS from the first byte
  --user/--password AUTH (PLAIN or LOGIN, only over TLS) is required and
                    must match
  --port-file FILE  where the port is written once the server answers

FAILING ON DEMAND
  A file DIR/fail holding SMTP replies, one per line ("451 4.3.0 try
  later", "550 5.7.1 rejected"): each message's DATA is answered with the
  first line, which is then removed.  Failed messages are not saved.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Spool:
    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.Lock()

    def next_failure(self):
        path = os.path.join(self.dir, "fail")
        with self.lock:
            if not os.path.exists(path):
                return None
            with open(path) as f:
                lines = [l.strip() for l in f if l.strip()]
            if not lines:
                return None
            with open(path, "w") as f:
                f.write("".join(l + "\n" for l in lines[1:]))
            return lines[0]

    def save(self, content, meta):
        with self.lock:
            n = len([f for f in os.listdir(self.dir) if f.endswith(".eml")])
            base = os.path.join(self.dir, "%04d" % (n + 1))
            with open(base + ".json.tmp", "w") as f:
                json.dump(meta, f)
            with open(base + ".eml", "wb") as f:
                f.write(content)
            os.replace(base + ".json.tmp", base + ".json")


class Handler:
    def __init__(self, spool):
        self.spool = spool

    async def handle_DATA(self, server, session, envelope):
        failure = self.spool.next_failure()
        if failure:
            return failure
        meta = {"mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "auth_user": _auth_user(session),
                "tls": (session.ssl is not None or
                        server.transport.get_extra_info("ssl_object")
                        is not None)}
        self.spool.save(envelope.original_content or envelope.content, meta)
        return "250 2.0.0 OK: queued"


def _auth_user(session):
    login = getattr(session, "login_data", None)
    if not session.authenticated or login is None:
        return None
    return login.decode("utf-8", "replace")


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login == self.user and
              auth_data.password == self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class TlsController(Controller):
    """Controller whose readiness probe copes with implicit TLS."""

    def __init__(self, *args, implicit_ctx=None, **kw):
        self.implicit_ctx = implicit_ctx
        super().__init__(*args, **kw)

    def _trigger_server(self):
        # aiosmtpd's own probe speaks TLS when ssl_context is set; it needs
        # a client context that trusts the test certificate.
        with socket.create_connection((self.hostname, self.port), 5) as s:
            if self.implicit_ctx:
                client = ssl.create_default_context()
                client.check_hostname = False
                client.verify_mode = ssl.CERT_NONE
                with client.wrap_socket(s) as t:
                    t.recv(1024)
            else:
                s.recv(1024)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spool", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls", choices=("starttls", "implicit"),
                    default="starttls")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    args = ap.parse_args(argv)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    port = args.port or free_port()
    kw = {"hostname": "127.0.0.1", "port": port,
          "server_hostname": "ctmon-test-smtp"}
    if args.user:
        kw["authenticator"] = Authenticator(args.user, args.password)
        kw["auth_required"] = True
        kw["auth_require_tls"] = True
    if args.tls == "implicit":
        kw["ssl_context"] = ctx
        # aiosmtpd counts only STARTTLS as TLS for AUTH; here every byte
        # is encrypted from the start.
        kw["auth_require_tls"] = False
        controller = TlsController(Handler(Spool(args.spool)),
                                   implicit_ctx=ctx, **kw)
    else:
        kw["tls_context"] = ctx
        kw["require_starttls"] = True
        controller = TlsController(Handler(Spool(args.spool)), **kw)
    controller.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
