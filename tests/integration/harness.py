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
                          os.path.join(SOURCE_DIR, "..", "shared", "fixtures"))
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
                     max_backoff_ms=200):
        """A config whose crt.sh source is the local server (short
        backoffs so failure tests run fast)."""
        return self.write_config(
            'sources = ( { plugin = "crtsh"; config = { url = "%s"; '
            'backoff_ms = %d; max_backoff_ms = %d; %s }; } );\n%s'
            % (self.server.url, backoff_ms, max_backoff_ms, extra_source,
               extra))

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
