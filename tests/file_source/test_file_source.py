"""The `file` source in the real binary: PEM (single and bundles, with
text before the block), DER, crt.sh JSON exports and directories; files
that are not certificates are warnings that store nothing; an unchanged
file is not read twice."""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "integration"))
from harness import CtmonTestCase, FIXTURES, SOURCE_DIR  # noqa: E402

CERTS = os.path.join(FIXTURES, "ctlog", "certs")
SAMPLE = os.path.join(SOURCE_DIR, "samples", "crtsh", "example.com.json")


def der_of(pem_path, out_path):
    subprocess.run(["openssl", "x509", "-in", pem_path, "-outform", "DER",
                    "-out", out_path], check=True)


class FileSource(CtmonTestCase):
    def cfg(self, paths, domains=("example.com",), extra=""):
        return self.write_config(
            'database = "%s";\ndomains = [ %s ];\n'
            'resolve_dns = false;\n'  # tests never ask system resolvers
            'sources = ( { plugin = "file"; config = { paths = [ %s ]; %s '
            '}; } );\n' % (self.db, ", ".join('"%s"' % d for d in domains),
                           ", ".join('"%s"' % p for p in paths), extra))

    def test_crtsh_export(self):
        cfg = self.cfg([SAMPLE])
        p = self.run_ctmon("--config", cfg, check=0)
        rows = json.load(open(SAMPLE))
        ids = {r[0] for r in self.query("SELECT crtsh_id FROM certificates")}
        # Stored: exactly the rows with a name under example.com.
        want = {r["id"] for r in rows
                if any(n.lower() == "example.com" or
                       n.lower().endswith(".example.com")
                       for n in (r.get("name_value") or "").split("\n") +
                       [r.get("common_name") or ""])}
        self.assertTrue(want)
        self.assertEqual(ids, want)
        self.assertIn("%d certificates" % len(rows), p.stderr)
        # Unchanged: not read again.
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertNotIn("certificates", p.stderr.split("cycle:")[0])

    def test_pem_der_directory(self):
        d = os.path.join(self.tmp, "in")
        os.makedirs(os.path.join(d, "sub"))
        for name in ("test-embedded-pre-cert.pem", "test-embedded-cert.pem",
                     "ca-cert.pem", "ct-server-key-public.pem"):
            shutil.copy(os.path.join(CERTS, name), d)
        der_of(os.path.join(CERTS, "test-cert.pem"),
               os.path.join(d, "sub", "test-cert.der"))
        with open(os.path.join(d, "bundle.pem"), "w") as out:
            for name in ("test-embedded-with-preca-pre-cert.pem",
                         "test-embedded-with-preca-cert.pem"):
                out.write(open(os.path.join(CERTS, name)).read())
        with open(os.path.join(d, "junk.json"), "w") as out:
            out.write('{"not": "crt.sh"}')
        # The test certificates carry no DNS names: watch nothing, and
        # count what the source emitted through the cycle summary.
        cfg = self.cfg([d], extra='recursive = true;')
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("cycle: 6 records", p.stderr)
        self.assertIn("ct-server-key-public.pem: not a PEM certificate",
                      p.stderr)
        self.assertIn("junk.json: not a crt.sh JSON file", p.stderr)
        # Non-recursive: the DER in sub/ is not read.
        os.unlink(self.db)
        cfg = self.cfg([d], extra='recursive = false;')
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("cycle: 5 records", p.stderr)

    def test_forced_format(self):
        d = os.path.join(self.tmp, "f")
        os.makedirs(d)
        shutil.copy(os.path.join(CERTS, "test-cert.pem"), d)
        cfg = self.cfg([d], extra='format = "der";')
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("not a DER certificate file", p.stderr)
        self.assertIn("cycle: 0 records", p.stderr)

    def test_bad_options(self):
        cfg = self.cfg(["/nonexistent"], extra='format = "xml";')
        p = self.run_ctmon("--config", cfg, "--check-config")
        self.assertEqual(p.returncode, 3)
        self.assertIn('option "format"', p.stderr)
        cfg = self.cfg([os.path.join(self.tmp, "missing")])
        p = self.run_ctmon("--config", cfg, check=0)
        self.assertIn("cannot read", p.stderr)


if __name__ == "__main__":
    unittest.main()
