"""Shared helpers for ctmon's integration tests.

Each test gets a temporary directory, a local crt.sh-compatible server
(tests/servers/crtsh_server.py) on 127.0.0.1 fed with real fixtures, and
runs the real ctmon binary against it.  Nothing here touches any address
but 127.0.0.1.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SOURCE_DIR = os.environ.get("CTM_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(
                                os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("CTMON_BIN", os.path.join(SOURCE_DIR, "build", "bin",
                                                  "ctmon"))
FIXTURES = os.environ.get("CTM_FIXTURES_DIR",
                          os.path.join(SOURCE_DIR, "tests", "data"))
SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "crtsh_server.py")


def read_text(path):
    with open(path) as f:
        return f.read()


def load_json(path):
    with open(path) as f:
        return json.load(f)


def fixture(name):
    return os.path.join(FIXTURES, "crtsh", name)


class CrtshServer:
    """A running tests/servers/crtsh_server.py serving files of `data_dir`."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        port_file = os.path.join(data_dir, ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--data", data_dir, "--port-file",
             port_file, *extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(port_file) and read_text(port_file).strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("crtsh server died: " +
                                   self.proc.stderr.read().decode())
            time.sleep(0.05)
        self.port = int(read_text(port_file).strip())
        self.url = "http://127.0.0.1:%d/" % self.port

    def get(self, path):
        with urllib.request.urlopen(self.url.rstrip("/") + path,
                                    timeout=10) as r:
            return r.read()

    def ctl(self, query):
        return self.get("/_ctl?" + query)

    def requests(self):
        return json.loads(self.get("/_log"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


class CtmonTestCase(unittest.TestCase):
    """Temp dir + crt.sh server + helpers to run ctmon and read its DB."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ctmon-it-")
        self.data = os.path.join(self.tmp, "data")
        os.mkdir(self.data)
        self.db = os.path.join(self.tmp, "ct.db")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, domain, fixture_path_or_rows):
        """Makes the server answer queries for `domain` with these rows."""
        dst = os.path.join(self.data, domain + ".json")
        if isinstance(fixture_path_or_rows, str):
            shutil.copyfile(fixture_path_or_rows, dst)
        else:
            with open(dst, "w") as f:
                json.dump(fixture_path_or_rows, f)

    def start_server(self, *extra):
        self.server = CrtshServer(self.data, extra)
        return self.server

    def write_config(self, body, name="ctmon.cfg"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(body)
        return path

    def crtsh_config(self, extra_source="", extra="", backoff_ms=50,
                     max_backoff_ms=200, resolve_dns=False):
        """A config whose crt.sh source is the local server (short
        backoffs so failure tests run fast).  DNS resolution is off unless
        asked for: tests only talk to 127.0.0.1, never to the system's
        resolvers (tests/dns/ resolves against a local dnsmasq)."""
        return self.write_config(
            'sources = ( { plugin = "crtsh"; config = { url = "%s"; '
            'backoff_ms = %d; max_backoff_ms = %d; %s }; } );\n%s%s'
            % (self.server.url, backoff_ms, max_backoff_ms, extra_source,
               extra, "" if resolve_dns else "resolve_dns = false;\n"))

    def run_ctmon(self, *args, env=None, timeout=120, check=None):
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        p = subprocess.run([BINARY, *args], capture_output=True, text=True,
                           env=full_env, timeout=timeout)
        if check is not None and p.returncode != check:
            self.fail("ctmon %s exited %d (expected %d)\nstdout:\n%s\n"
                      "stderr:\n%s" % (" ".join(args), p.returncode, check,
                                        p.stdout, p.stderr))
        return p

    def query(self, sql, *params):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def db_snapshot(self):
        """Every row of every table, to prove a failed cycle changed nothing."""
        con = sqlite3.connect(self.db)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {t: con.execute("SELECT * FROM %s ORDER BY 1" % t)
                    .fetchall() for t in tables}
        finally:
            con.close()


# ---- notifier counterparts (webhook receiver, SMTP server, TLS) ---------

WEBHOOK_RECEIVER = os.path.join(SOURCE_DIR, "tests", "servers",
                                "webhook_receiver.py")
SMTP_SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "smtp_server.py")


def _wait_port_file(proc, port_file, what):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if os.path.exists(port_file) and read_text(port_file).strip():
            return int(read_text(port_file).strip())
        if proc.poll() is not None:
            raise RuntimeError("%s died: %s" % (what, proc.stderr.read()
                                                .decode()))
        time.sleep(0.05)
    raise RuntimeError("%s did not start" % what)


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stderr.close()


def make_tls_cert(directory):
    """A self-signed certificate for 127.0.0.1 (openssl), as (cert, key)
    paths; tests hand the certificate to ctmon as its ca_file."""
    cert = os.path.join(directory, "test-cert.pem")
    key = os.path.join(directory, "test-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class WebhookReceiver:
    """tests/servers/webhook_receiver.py on 127.0.0.1.  stop() and
    start() again keep the port, so an outage can end; the request log
    is also kept in a file, so it survives the restart."""

    def __init__(self, directory, status=200, tls=None):
        self.dir = directory
        self.status = status
        self.tls = tls
        self.port = 0
        self.log_file = os.path.join(directory, "webhook-requests.jsonl")
        self.proc = None
        self.start()
        scheme = "https" if tls else "http"
        self.url = "%s://127.0.0.1:%d/services/T0/B0/SECRETTOKEN" % (
            scheme, self.port)

    def start(self):
        port_file = os.path.join(self.dir, "webhook.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        args = [sys.executable, WEBHOOK_RECEIVER, "--port", str(self.port),
                "--port-file", port_file, "--log-file", self.log_file,
                "--status", str(self.status)]
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.port = _wait_port_file(self.proc, port_file, "webhook receiver")

    def stop(self):
        if self.proc:
            _stop(self.proc)
            self.proc = None

    def ctl(self, query):
        scheme = "https" if self.tls else "http"
        import ssl
        ctx = ssl.create_default_context(cafile=self.tls[0]) \
            if self.tls else None
        with urllib.request.urlopen("%s://127.0.0.1:%d/_ctl?%s" % (
                scheme, self.port, query), timeout=10, context=ctx) as r:
            return r.read()

    def requests(self):
        """Every POST seen so far, across restarts, in order."""
        if not os.path.exists(self.log_file):
            return []
        with open(self.log_file) as f:
            return [json.loads(l) for l in f if l.strip()]

    def delivered(self):
        """The POSTs that were answered 2xx (and not after a timeout)."""
        return [r for r in self.requests()
                if 200 <= r["status"] < 300 and r["fault"] != "timeout"]


def _python_with_aiosmtpd():
    """Debian's python3-aiosmtpd lives in the system interpreter's
    dist-packages; a virtualenv or pyenv python running the tests may not
    see it."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if exe and subprocess.run([exe, "-c", "import aiosmtpd"],
                                  capture_output=True).returncode == 0:
            return exe
    raise RuntimeError("python3-aiosmtpd is not installed "
                       "(scripts/deps.sh installs it)")


class SmtpServer:
    """tests/servers/smtp_server.py (aiosmtpd) on 127.0.0.1 with STARTTLS
    or implicit TLS and AUTH; messages land in spool/ as .eml files."""

    def __init__(self, directory, cert, key, tls="starttls", user="alice",
                 password="s3cret-pw"):
        self.dir = directory
        self.spool = os.path.join(directory, "spool")
        os.makedirs(self.spool, exist_ok=True)
        self.cert, self.key, self.tls = cert, key, tls
        self.user, self.password = user, password
        self.port = 0
        self.proc = None
        self.python = _python_with_aiosmtpd()
        self.start()

    def start(self):
        port_file = os.path.join(self.dir, "smtp.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        args = [self.python, SMTP_SERVER, "--spool", self.spool, "--cert",
                self.cert, "--key", self.key, "--tls", self.tls,
                "--port-file", port_file]
        if self.port:
            args += ["--port", str(self.port)]
        if self.user:
            args += ["--user", self.user, "--password", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.port = _wait_port_file(self.proc, port_file, "SMTP server")

    def stop(self):
        if self.proc:
            _stop(self.proc)
            self.proc = None

    def fail_next(self, *replies):
        """The next messages' DATA get these SMTP replies, in order."""
        with open(os.path.join(self.spool, "fail"), "a") as f:
            for r in replies:
                f.write(r + "\n")

    def messages(self):
        """[(envelope dict, raw bytes)] of the messages accepted."""
        out = []
        for name in sorted(os.listdir(self.spool)):
            if name.endswith(".eml") and os.path.exists(
                    os.path.join(self.spool, name[:-4] + ".json")):
                with open(os.path.join(self.spool, name), "rb") as f:
                    raw = f.read()
                out.append((load_json(os.path.join(self.spool,
                                                   name[:-4] + ".json")),
                            raw))
        return out
