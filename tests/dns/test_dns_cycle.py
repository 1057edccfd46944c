"""DNS resolution end to end: the real ctmon binary against the local
crt.sh server and a real dnsmasq (dnsmasq_env.py), plus a black-hole
socket this test opens.  Asserts the subdomains table, the report, the
new_subdomain alert details, the queries dnsmasq received, the flags and
the re-resolution policy.  Only 127.0.0.1 is used."""
import json
import os
import socket
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from harness import CtmonTestCase  # noqa: E402
from dnsmasq_env import DnsEnv  # noqa: E402

T0 = 1795000000  # the pinned clock (CTMON_NOW)
Z = "dns.test"

NAMES = ["a", "v6", "both", "multi", "txt", "c1", "dang", "dangtxt",
         "nothing", "x.sf", "x.bh"]


def row(cid, names, serial):
    return {"issuer_ca_id": 185756,
            "issuer_name": "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA "
                           "SHA256 2020 CA1",
            "common_name": names[0], "name_value": "\n".join(names),
            "id": cid, "entry_timestamp": "2026-11-20T01:02:03.4",
            "not_before": "2026-11-20T00:00:00",
            "not_after": "2027-11-20T00:00:00", "serial_number": serial,
            "result_count": len(names)}


def fqdn(label):
    return "%s.%s" % (label, Z)


class DnsTestCase(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.blackhole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.blackhole.bind(("127.0.0.1", 0))
        self.dns = None

    def tearDown(self):
        if self.dns:
            self.dns.stop()
        self.blackhole.close()
        super().tearDown()

    def start_dns(self, **kw):
        if self.dns:
            self.dns.stop()
        self.dns = DnsEnv(blackhole_port=self.blackhole.getsockname()[1],
                          **kw)

    def config(self, extra="", resolve_dns=True):
        return self.crtsh_config(
            resolve_dns=resolve_dns,
            extra='dns_servers = [ "%s" ];\ndns_timeout_ms = 600;\n'
                  'dns_retries = 1;\n%s' % (self.dns.server, extra))

    def cycle(self, cfg, *flags, now=T0):
        return self.run_ctmon("--config", cfg, "--domains", Z, "--db",
                              self.db, "--report",
                              os.path.join(self.tmp, "report.json"), *flags,
                              env={"CTMON_NOW": str(now)}, check=0)

    def rows(self):
        return {r[0]: r[1:] for r in self.query(
            "SELECT name, dns_status, addresses, cname, resolved_at "
            "FROM subdomains")}

    def report_subdomains(self):
        with open(os.path.join(self.tmp, "report.json")) as f:
            rep = json.load(f)
        dom = rep["domains"][0]
        return ({s["name"]: s for s in dom["subdomains"]},
                dom["subdomains_summary"]["dns"])

    def alert_dns(self):
        out = {}
        for key, details in self.query(
                "SELECT alert_key, details FROM alerts "
                "WHERE type = 'new_subdomain'"):
            out[key] = json.loads(details)["dns"]
        return out


class EveryOutcome(DnsTestCase):
    def setUp(self):
        super().setUp()
        self.start_dns()
        self.serve(Z, [row(1, [fqdn(n) for n in NAMES] +
                          ["*.wild." + Z], "01")])
        self.start_server()

    def test_outcomes_in_store_report_and_alerts(self):
        p = self.cycle(self.config())
        rows = self.rows()
        expect = {
            "a": ("resolved", "192.0.2.1", None),
            "v6": ("resolved", "2001:db8::6", None),
            "both": ("resolved", "192.0.2.2 2001:db8::2", None),
            "txt": ("nodata", None, None),
            "c1": ("resolved", "192.0.2.2 2001:db8::2",
                   "c2.dns.test c3.dns.test both.dns.test"),
            "dang": ("dangling_cname", None, "gone.dns.test"),
            "dangtxt": ("dangling_cname", None, "txt.dns.test"),
            "nothing": ("nxdomain", None, None),
            "x.sf": ("servfail", None, None),
            "x.bh": ("timeout", None, None),
            # The wildcard's base is the subdomain; it is asked as such.
            "wild": ("nxdomain", None, None),
        }
        for label, (status, addrs, cname) in expect.items():
            got = rows[fqdn(label)]
            self.assertEqual(got[:3], (status, addrs, cname), label)
            self.assertEqual(got[3], T0, label)
        status, addrs, cname, _ = rows[fqdn("multi")]
        self.assertEqual(status, "resolved")
        self.assertEqual(sorted(addrs.split()), ["192.0.2.3", "192.0.2.4"])
        self.assertIn("dns: 12 names (12 new)", p.stderr)
        self.assertIn("dang.dns.test is a dangling CNAME (gone.dns.test)",
                      p.stderr)

        # The report shows each outcome, the dangling ones distinctly.
        subs, summary = self.report_subdomains()
        self.assertEqual(subs[fqdn("dang")]["dns_status"], "dangling_cname")
        self.assertEqual(subs[fqdn("dang")]["cname"], ["gone.dns.test"])
        self.assertIsNone(subs[fqdn("dang")]["addresses"])
        self.assertEqual(subs[fqdn("c1")]["cname"],
                         ["c2.dns.test", "c3.dns.test", "both.dns.test"])
        self.assertEqual(subs[fqdn("both")]["addresses"],
                         ["192.0.2.2", "2001:db8::2"])
        self.assertEqual(subs[fqdn("x.bh")]["dns_status"], "timeout")
        self.assertEqual(subs[fqdn("x.sf")]["dns_status"], "servfail")
        self.assertEqual(subs[fqdn("txt")]["dns_status"], "nodata")
        self.assertEqual(subs[fqdn("nothing")]["dns_status"], "nxdomain")
        self.assertTrue(subs[fqdn("a")]["resolved_at"].endswith("Z"))
        self.assertEqual(summary, {"dangling_cname": 2, "nodata": 1,
                                   "nxdomain": 2, "resolved": 5,
                                   "servfail": 1, "timeout": 1,
                                   "unresolved": 0})

        # new_subdomain alerts carry the result of the same cycle.
        dns = self.alert_dns()
        self.assertEqual(len(dns), 12)
        self.assertEqual(dns[fqdn("dang")]["status"], "dangling_cname")
        self.assertEqual(dns[fqdn("dang")]["cname"], ["gone.dns.test"])
        self.assertEqual(dns[fqdn("c1")]["cname"],
                         ["c2.dns.test", "c3.dns.test", "both.dns.test"])
        self.assertEqual(dns[fqdn("both")]["addresses"],
                         ["192.0.2.2", "2001:db8::2"])
        self.assertEqual(dns[fqdn("x.bh")]["status"], "timeout")
        self.assertEqual(dns[fqdn("a")]["resolved_at"],
                         "2026-11-18T11:06:40Z")

        # What dnsmasq was asked: A-labels, never a wildcard.
        asked = self.dns.queries_seen()
        self.assertIn(("A", fqdn("a")), asked)
        self.assertIn(("AAAA", fqdn("a")), asked)
        self.assertIn(("A", fqdn("wild")), asked)
        # The dangling target itself was asked, to see it does not exist.
        self.assertIn(("A", "gone.dns.test"), asked)
        self.assertFalse([n for _, n in asked if "*" in n], asked)

    def test_no_resolve_dns_leaves_status_null(self):
        self.cycle(self.config(), "--no-resolve-dns")
        rows = self.rows()
        self.assertEqual(len(rows), 12)
        for name, (status, addrs, cname, at) in rows.items():
            self.assertEqual((status, addrs, cname, at),
                             (None, None, None, None), name)
        self.assertEqual([n for _, n in self.dns.queries_seen()
                          if n != "ready." + Z], [])
        for name, dns in self.alert_dns().items():
            self.assertIsNone(dns, name)
        subs, summary = self.report_subdomains()
        self.assertIsNone(subs[fqdn("a")]["dns_status"])
        self.assertEqual(summary, {"unresolved": 12})

    def test_resolve_dns_flag_overrides_config(self):
        p = self.cycle(self.config(resolve_dns=False), "--resolve-dns")
        self.assertEqual(self.rows()[fqdn("a")][0], "resolved")
        self.assertNotIn("not built", p.stderr)

    def test_config_off_means_off(self):
        self.cycle(self.config(resolve_dns=False))
        self.assertIsNone(self.rows()[fqdn("a")][0])


class ReResolution(DnsTestCase):
    def test_stale_results_are_asked_again(self):
        self.start_dns(extra_hosts=[("192.0.2.50", fqdn("moved"))])
        self.serve(Z, [row(1, [fqdn("moved"), fqdn("x.bh")], "01")])
        self.start_server()
        cfg = self.config("dns_max_age = 3600;\n")
        self.cycle(cfg, now=T0)
        self.assertEqual(self.rows()[fqdn("moved")][:2],
                         ("resolved", "192.0.2.50"))

        # The name moves.  Ten minutes later the answer is still fresh:
        # not asked again; the timeout is transient: asked again.
        self.start_dns(extra_hosts=[("192.0.2.51", fqdn("moved"))])
        cfg = self.config("dns_max_age = 3600;\n")
        self.cycle(cfg, now=T0 + 600)
        rows = self.rows()
        self.assertEqual(rows[fqdn("moved")][1:], ("192.0.2.50", None, T0))
        self.assertEqual(rows[fqdn("x.bh")][0], "timeout")
        self.assertEqual(rows[fqdn("x.bh")][3], T0 + 600)

        # Past dns_max_age it is asked again and the row follows.
        self.cycle(cfg, now=T0 + 4000)
        self.assertEqual(self.rows()[fqdn("moved")],
                         ("resolved", "192.0.2.51", None, T0 + 4000))

    def test_bounded_per_cycle(self):
        # dns_concurrency = 1: at most 16 older names per cycle; new
        # names are never held back.
        self.start_dns(bulk=20)
        self.serve(Z, [row(1, [fqdn("bulk%d" % i) for i in range(20)],
                           "01")])
        self.start_server()
        cfg = self.config("dns_max_age = 100;\ndns_concurrency = 1;\n")
        self.cycle(cfg, now=T0)
        at = [r[3] for r in self.rows().values()]
        self.assertEqual(at, [T0] * 20)
        self.cycle(cfg, now=T0 + 1000)
        at = sorted(r[3] for r in self.rows().values())
        self.assertEqual(at, [T0] * 4 + [T0 + 1000] * 16)
        self.cycle(cfg, now=T0 + 1001)
        at = sorted(r[3] for r in self.rows().values())
        self.assertEqual(at, [T0 + 1000] * 16 + [T0 + 1001] * 4)
        for status, addrs, _, _ in self.rows().values():
            self.assertEqual(status, "resolved")
            self.assertTrue(addrs.startswith("198.18.0."))

    def test_never_resolved_names_are_picked_up(self):
        self.start_dns()
        self.serve(Z, [row(1, [fqdn("a"), fqdn("nothing")], "01")])
        self.start_server()
        cfg = self.config()
        self.cycle(cfg, "--no-resolve-dns", now=T0)
        self.assertIsNone(self.rows()[fqdn("a")][0])
        self.cycle(cfg, now=T0 + 60)
        rows = self.rows()
        self.assertEqual(rows[fqdn("a")][:2], ("resolved", "192.0.2.1"))
        self.assertEqual(rows[fqdn("nothing")][0], "nxdomain")


class BadServers(CtmonTestCase):
    def test_bad_dns_server_is_a_config_error(self):
        path = self.write_config(
            'domains = [ "example.com" ];\n'
            'dns_servers = [ "127.0.0.1:53", "resolver.example" ];\n')
        p = self.run_ctmon("--config", path, "--check-config", check=3)
        self.assertIn("ctmon.cfg:2", p.stderr)
        self.assertIn("resolver.example", p.stderr)


if __name__ == "__main__":
    unittest.main()
