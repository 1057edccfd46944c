"""A real DNS server for ctmon's tests: Debian's dnsmasq on 127.0.0.1 on a
free port, serving the zone dns.test from generated files.

Records (every outcome the resolver keeps apart):
  a.dns.test         A 192.0.2.1
  v6.dns.test        AAAA 2001:db8::6
  both.dns.test      A 192.0.2.2, AAAA 2001:db8::2
  multi.dns.test     A 192.0.2.3, A 192.0.2.4
  txt.dns.test       TXT only                 -> no data
  c1.dns.test        CNAME c2 -> CNAME c3 -> CNAME both.dns.test
  dang.dns.test      CNAME gone.dns.test (NXDOMAIN)  -> dangling CNAME
  dangtxt.dns.test   CNAME txt.dns.test (no data)    -> dangling CNAME
  anything else under dns.test                       -> NXDOMAIN
  *.sf.dns.test      forwarded to a stub answering SERVFAIL
  *.bh.dns.test      forwarded to `blackhole_port` (a socket the test
                     opened that never answers) -> timeout
  bulk<i>.dns.test   A bulk_address(i), for i < bulk

dnsmasq logs every query it receives to `query_log`, so tests can see what
was asked.  Used as a module (integration tests) or as a program by the C
unit tests:

  python3 dnsmasq_env.py --info FILE [--bulk N] [--blackhole-port P]
                         [--no-log]

writes "port=N servfail_port=N" to FILE once dnsmasq answers, and runs
until its stdin closes.  Only 127.0.0.1 is ever used.
"""
import argparse
import os
import pwd
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ZONE = "dns.test"


def bulk_address(i):
    return "198.18.%d.%d" % (i // 256, i % 256)


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq needs both).
    """
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


def query(port, name, qtype=1, timeout=1.0):
    """One UDP query; returns (rcode, ancount) or None on timeout."""
    tid = random.randint(0, 65535)
    q = struct.pack(">HHHHHH", tid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))
    q += b"\0" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
    except socket.timeout:
        return None
    finally:
        s.close()
    flags, _, an = struct.unpack(">HHH", data[2:8])
    return flags & 0xF, an


class ServfailStub:
    """Answers every query with SERVFAIL: the upstream dnsmasq forwards
    *.sf.dns.test to, so dnsmasq passes a real SERVFAIL on."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                data, addr = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 12:
                continue
            self.queries += 1
            flags = struct.unpack(">H", data[2:4])[0]
            # QR, the query's RD, RA, RCODE 2; the question echoed.
            out = (data[:2] + struct.pack(">H", 0x8080 | (flags & 0x0100) | 2)
                   + data[4:6] + b"\0" * 6 + data[12:])
            self.sock.sendto(out, addr)

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()


class DnsEnv:
    """A running dnsmasq serving dns.test.  stop() ends it."""

    def __init__(self, bulk=0, blackhole_port=None, extra_hosts=(),
                 log_queries=True):
        self.dir = tempfile.mkdtemp(prefix="ctmon-dns-")
        self.query_log = os.path.join(self.dir, "queries.log")
        self.stub = ServfailStub()
        self.proc = None
        try:
            self._write_files(bulk, blackhole_port, extra_hosts,
                              log_queries)
            self._start()
        except BaseException:
            self.stop()
            raise

    def _write_files(self, bulk, blackhole_port, extra_hosts, log_queries):
        hosts = os.path.join(self.dir, "hosts")
        with open(hosts, "w") as f:
            f.write("192.0.2.3 multi.%s\n192.0.2.4 multi.%s\n" % (ZONE, ZONE))
            for i in range(bulk):
                f.write("%s bulk%d.%s\n" % (bulk_address(i), i, ZONE))
            for addr, name in extra_hosts:
                f.write("%s %s\n" % (addr, name))
        z = ZONE
        lines = [
            "listen-address=127.0.0.1", "bind-interfaces", "no-resolv",
            "no-hosts", "no-poll", "keep-in-foreground", "pid-file=",
            "user=" + pwd.getpwuid(os.getuid()).pw_name,
            "log-facility=" + self.query_log,
            "cache-size=0", "addn-hosts=" + hosts,
            # Unknown names under the zone are NXDOMAIN, never forwarded.
            "local=/%s/" % z,
            "host-record=ready.%s,192.0.2.254" % z,
            "host-record=a.%s,192.0.2.1" % z,
            "host-record=v6.%s,2001:db8::6" % z,
            "host-record=both.%s,192.0.2.2,2001:db8::2" % z,
            'txt-record=txt.%s,"no address here"' % z,
            "cname=c1.%s,c2.%s" % (z, z),
            "cname=c2.%s,c3.%s" % (z, z),
            "cname=c3.%s,both.%s" % (z, z),
            "cname=dang.%s,gone.%s" % (z, z),
            "cname=dangtxt.%s,txt.%s" % (z, z),
            "server=/sf.%s/127.0.0.1#%d" % (z, self.stub.port),
        ]
        if log_queries:
            lines.append("log-queries")
        if blackhole_port:
            lines.append("server=/bh.%s/127.0.0.1#%d" % (z, blackhole_port))
        self.conf = os.path.join(self.dir, "dnsmasq.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _start(self):
        dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [dnsmasq, "--conf-file=" + self.conf,
                 "--port=%d" % self.port],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if query(self.port, "ready." + ZONE, timeout=0.2):
                    return
            err = b""
            if self.proc.poll() is None:
                self.proc.kill()
            else:
                err = self.proc.stderr.read()
            self.proc.wait()
            self.proc.stderr.close()
            self.proc = None
            if b"in use" not in err:
                raise RuntimeError("dnsmasq did not start: %s" %
                                   err.decode(errors="replace"))
        raise RuntimeError("dnsmasq: no free port after 5 tries")

    @property
    def server(self):
        return "127.0.0.1:%d" % self.port

    def queries_seen(self):
        """Names dnsmasq was asked, in order ("query[A] x from ...")."""
        try:
            with open(self.query_log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        seen = []
        for line in text.splitlines():
            i = line.find("query[")
            if i >= 0:
                parts = line[i:].split()
                if len(parts) >= 2:
                    seen.append((parts[0][6:-1], parts[1]))
        return seen

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stderr.close()
            self.proc = None
        self.stub.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--info", required=True)
    ap.add_argument("--bulk", type=int, default=0)
    ap.add_argument("--blackhole-port", type=int, default=0)
    ap.add_argument("--no-log", action="store_true",
                    help="do not log queries (benchmarks)")
    a = ap.parse_args()
    env = DnsEnv(bulk=a.bulk, blackhole_port=a.blackhole_port or None,
                 log_queries=not a.no_log)
    try:
        tmp = a.info + ".tmp"
        with open(tmp, "w") as f:
            f.write("port=%d servfail_port=%d\n" % (env.port, env.stub.port))
        os.rename(tmp, a.info)
        sys.stdin.read()  # until the test closes our stdin (or exits)
    finally:
        env.stop()


if __name__ == "__main__":
    main()
