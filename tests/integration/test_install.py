"""`cmake --install` lays out bin/, lib/ctmon/plugins/, include/ctmon/ and
etc/ctmon/, and the installed binary finds its plugins without flags."""
import glob
import os
import subprocess
import unittest

from harness import SOURCE_DIR, CtmonTestCase, fixture

BUILD = os.environ.get("CTM_BINARY_DIR", os.path.join(SOURCE_DIR, "build"))


class Install(CtmonTestCase):
    def setUp(self):
        super().setUp()
        self.prefix = os.path.join(self.tmp, "prefix")
        subprocess.run(["cmake", "--install", BUILD, "--prefix",
                        self.prefix], check=True, capture_output=True)
        self.bin = os.path.join(self.prefix, "bin", "ctmon")
        # No hint where plugins are: the binary must find them itself.
        self.env = {k: v for k, v in os.environ.items()
                    if k != "CTMON_PLUGIN_DIR"}

    def installed(self, *args):
        return subprocess.run([self.bin, *args], capture_output=True,
                              text=True, env=self.env, timeout=60)

    def test_layout(self):
        self.assertTrue(os.access(self.bin, os.X_OK))
        plugins = sorted(os.path.basename(p) for p in glob.glob(
            os.path.join(self.prefix, "lib*", "**", "ctmon", "plugins",
                         "*.so"), recursive=True))
        for name in ("crtsh.so", "new_subdomain.so", "unauthorized_ca.so",
                     "wildcard.so", "short_lived.so", "expiring.so",
                     "stdout.so"):
            self.assertIn(name, plugins)
        self.assertTrue(os.path.exists(os.path.join(
            self.prefix, "include", "ctmon", "plugin.h")))
        self.assertTrue(os.path.exists(os.path.join(
            self.prefix, "etc", "ctmon", "ctmon.cfg")))

    def test_installed_binary_finds_plugins(self):
        p = self.installed("--list-plugins")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(os.path.join(self.prefix, "lib"), p.stdout)
        self.assertIn("crtsh", p.stdout)
        p = self.installed("--config", os.path.join(
            self.prefix, "etc", "ctmon", "ctmon.cfg"), "--check-config")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_installed_binary_runs_a_cycle(self):
        self.serve("example.com", fixture(
            "melotic-enum.land__tests_data_crtsh.json"))
        self.start_server()
        p = self.installed("--config", self.crtsh_config(), "--domains",
                           "example.com", "--db", self.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(self.query(
            "SELECT count(*) FROM certificates")[0][0], 0)


if __name__ == "__main__":
    unittest.main()
