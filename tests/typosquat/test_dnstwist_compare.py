#!/usr/bin/env python3
"""ctmon's typosquat candidates against Debian's dnstwist, generated now.

For the six domains of shared/docs/typosquat.md, `dnstwist --format list`
(the only output of dnstwist that needs no DNS) must be contained in
`ctmon --typosquats --list-candidates DOMAIN`.  The one exception allowed
is an IDN candidate under a suffix whose registry registers no IDN at all;
each exception is named with its rule.  The same holds with dnstwist's
dictionary and TLD files.  Nothing here touches the network.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("CTMON_BIN", "ctmon")
DOMAINS = ["example.com", "google.com", "paypal.com", "bankofamerica.com",
           "login.microsoftonline.com", "bbc.co.uk"]
DICTS = "/usr/share/dnstwist/dictionaries"
# Suffixes whose registry registers no IDN (the typosquat plugin's table,
# plugins/checks/typosquat/typo_tables.c, says the same).
NO_IDN = {"uk": "Nominet registers no IDNs"}


def dnstwist(domain, *extra):
    p = subprocess.run(["dnstwist", "--format", "list", *extra, domain],
                       capture_output=True, text=True, timeout=300,
                       check=True)
    names = set(p.stdout.split())
    names.discard(domain)
    return names


def decode_label(label):
    if not label.startswith("xn--"):
        return label
    return label[4:].encode("ascii").decode("punycode")


def exception_rule(name):
    """Why an IDN candidate may be left out, or None."""
    labels = name.split(".")
    if not any(l.startswith("xn--") for l in labels):
        return None
    text = ".".join(decode_label(l) for l in labels)
    if all(ord(c) < 128 for c in text):
        return None
    rule = NO_IDN.get(labels[-1])
    return "IDN under .%s: %s" % (labels[-1], rule) if rule else None


class DnstwistComparison(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("dnstwist"):
            raise RuntimeError("dnstwist is not installed: run "
                               "scripts/deps.sh (Debian package dnstwist)")
        cls.tmp = tempfile.mkdtemp(prefix="ctmon-typo-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self, name, options):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write('checks = ( { plugin = "typosquat"; config = { %s }; '
                    '} );\n' % options)
        return path

    def ctmon(self, domain, cfg):
        p = subprocess.run([BIN, "-q", "--config", cfg, "--typosquats",
                            "--list-candidates", domain],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = {}
        for line in p.stdout.splitlines():
            pattern, tag = line.split("\t")
            self.assertTrue(tag.startswith("typosquat:"), line)
            out[pattern] = tag
        return out

    def compare(self, domain, dt_args, cfg):
        theirs = dnstwist(domain, *dt_args)
        ours = self.ctmon(domain, cfg)
        missing = theirs - set(ours)
        exceptions = {n: exception_rule(n) for n in missing}
        unexplained = sorted(n for n, r in exceptions.items() if r is None)
        self.assertEqual(unexplained, [], "%s: dnstwist candidates ctmon "
                         "lacks: %s" % (domain, unexplained[:20]))
        rules = {}
        for r in exceptions.values():
            rules[r] = rules.get(r, 0) + 1
        print("%-26s dnstwist %5d  ctmon %5d  missing %3d %s" %
              (domain, len(theirs), len(ours), len(missing), rules))
        return theirs, ours, exceptions

    def test_default_lists(self):
        cfg = self.config("keep.cfg", "keep_subdomain = true;")
        for domain in DOMAINS:
            theirs, ours, exc = self.compare(domain, [], cfg)
            if domain.endswith(".com"):
                self.assertEqual(exc, {}, domain)
        # bbc.co.uk (the last): every IDN of dnstwist's is an exception,
        # and ctmon lists no IDN there at all.
        idn = {n for n in theirs if "xn--" in n}
        self.assertEqual(set(exc), idn)
        self.assertEqual(len(idn), 376)
        self.assertFalse([n for n in ours if "xn--" in n])

    def test_dictionary_and_tld_files(self):
        cfg = self.config(
            "dict.cfg", 'keep_subdomain = true; words_file = "%s"; '
            'tlds_file = "%s";' % (os.path.join(DICTS, "english.dict"),
                                   os.path.join(DICTS, "common_tlds.dict")))
        args = ["-d", os.path.join(DICTS, "english.dict"),
                "--tld", os.path.join(DICTS, "common_tlds.dict")]
        for domain in ("example.com", "login.microsoftonline.com",
                       "bbc.co.uk"):
            theirs, ours, exc = self.compare(domain, args, cfg)
            self.assertTrue(any(t == "typosquat:dictionary"
                                for t in ours.values()))
            self.assertTrue(any(t == "typosquat:tld-swap"
                                for t in ours.values()))
            if domain.endswith(".com"):
                self.assertEqual(exc, {}, domain)

    def test_registrable_form_covers_the_subdomain_form(self):
        # By default ctmon watches the registrable lookalike
        # (micr0softonline.com), which covers dnstwist's
        # login.micr0softonline.com and every other name under it.
        cfg = self.config("default.cfg", "")
        theirs = dnstwist("login.microsoftonline.com")
        ours = self.ctmon("login.microsoftonline.com", cfg)
        uncovered = sorted(n for n in theirs if n not in ours and not (
            n.startswith("login.") and n[6:] in ours))
        self.assertEqual(uncovered, [])
        self.assertIn("micr0softonline.com", ours)
        self.assertNotIn("login.micr0softonline.com", ours)
        self.assertIn("login.micro.softonline.com", ours)


class ListCandidatesErrors(unittest.TestCase):
    def test_no_registrable_part(self):
        p = subprocess.run([BIN, "--typosquats", "--list-candidates",
                            "co.uk"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("no candidates for co.uk", p.stderr)
        self.assertIn("not protected", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_not_a_host_name(self):
        p = subprocess.run([BIN, "--typosquats", "--list-candidates",
                            "exa mple.com"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("exa mple.com", p.stderr)


if __name__ == "__main__":
    unittest.main()
