"""Follows docs/writing-a-plugin.md literally.

Installs the build into a temporary prefix (as the guide's reader has
ctmon installed), takes every ```sh block of the guide in order, runs them
as one bash script (set -euo pipefail) in an empty folder with
CTMON_PREFIX pointing at that installation and CRTSH_URL at a local
crt.sh-compatible server fed with samples/, then checks what the guide
promises: both plugins' tests ran and passed (CMake and pkg-config), ctmon
listed them from the guide's plugin folder, and a cycle delivered
max_validity alerts into alerts.jsonl exactly once.

Usage: follow_guide.py BUILD_DIR [--sanitize]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GUIDE = os.path.join(SOURCE_DIR, "docs", "writing-a-plugin.md")
SERVER = os.path.join(SOURCE_DIR, "tests", "servers", "crtsh_server.py")
SAMPLES = os.path.join(SOURCE_DIR, "samples", "crtsh")

BUILD_DIR = None
SANITIZE = False


def read(path):
    """The file's text, or "" while it does not exist."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def sh_blocks(text):
    """The guide's ```sh blocks, in order (```text blocks are prose)."""
    return re.findall(r"^```sh\n(.*?)^```$", text, re.M | re.S)


class Guide(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="ctm-guide-")
        root = cls.tmp.name
        cls.prefix = os.path.join(root, "prefix")
        cls.home = os.path.join(root, "reader")
        os.mkdir(cls.home)
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix",
                        cls.prefix], check=True, stdout=subprocess.DEVNULL)
        port_file = os.path.join(root, "port")
        cls.server = subprocess.Popen(
            [sys.executable, SERVER, "--data", SAMPLES, "--port-file",
             port_file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not read(port_file):
            if time.monotonic() > deadline or cls.server.poll() is not None:
                raise RuntimeError("crt.sh test server did not start")
            time.sleep(0.05)
        url = "http://127.0.0.1:%s/" % read(port_file).strip()

        cls.blocks = sh_blocks(read(GUIDE))
        script = os.path.join(root, "guide.sh")
        with open(script, "w") as f:
            f.write("set -euo pipefail\nset -x\n")
            f.write("\n".join(cls.blocks))
        env = {k: v for k, v in os.environ.items()
               if k not in ("CTMON_PLUGIN_DIR", "CMAKE_PREFIX_PATH",
                            "PKG_CONFIG_PATH", "CFLAGS", "LDFLAGS")}
        env.update(CTMON_PREFIX=cls.prefix, CRTSH_URL=url, HOME=cls.home)
        if SANITIZE:
            # The installed libraries are sanitized: so must the reader's
            # programs be.  The guide passes $CFLAGS/$LDFLAGS everywhere.
            san = ("-fsanitize=address,undefined -fno-omit-frame-pointer "
                   "-fno-sanitize-recover=undefined")
            env.update(CFLAGS="-O1 -g " + san, LDFLAGS=san)
        cls.result = subprocess.run(["bash", script], cwd=cls.home, env=env,
                                 capture_output=True, text=True, timeout=900)
        cls.out = cls.result.stdout
        cls.plugins = os.path.join(cls.home, "my-plugins")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=10)
        cls.tmp.cleanup()

    def test_1_guide_runs_as_written(self):
        self.assertGreaterEqual(len(self.blocks), 8, "guide lost its steps")
        self.assertEqual(self.result.returncode, 0,
                         "guide failed:\n" + self.out[-6000:] +
                         self.result.stderr[-6000:])
        # The guide's code must compile cleanly as printed.
        for line in (self.out + self.result.stderr).splitlines():
            self.assertNotIn("warning:", line)

    def test_2_tests_passed_both_ways(self):
        # ctest after section 4 (one test) and section 6 (two tests) ...
        self.assertIn("100% tests passed, 0 tests failed out of 1", self.out)
        self.assertIn("100% tests passed, 0 tests failed out of 2", self.out)
        # ... and the pkg-config-built test program of section 5.
        self.assertTrue(os.path.exists(
            os.path.join(self.plugins, "test_max_validity")))
        self.assertIn("max_validity: all checks passed", self.out)

    def test_3_ctmon_loads_them_from_the_plugin_folder(self):
        plugin_dir = os.path.join(self.plugins, "plugins")
        for name in ("max_validity", "jsonl_file"):
            self.assertIn(os.path.join(plugin_dir, name + ".so"), self.out)
        self.assertIn(os.path.join(self.prefix, "lib", "ctmon", "plugins",
                                   "crtsh.so"), self.out)
        self.assertIn("max_days", self.out)  # --plugin-help

    def test_4_cycle_delivered_alerts(self):
        path = os.path.join(self.plugins, "alerts.jsonl")
        self.assertTrue(os.path.exists(path), self.out[-3000:])
        with open(path) as f:
            alerts = [json.loads(line) for line in f]
        # samples/crtsh: the 2-year and longer certificates of example.com.
        self.assertGreaterEqual(len(alerts), 3)
        for a in alerts:
            self.assertEqual(a["type"], "max_validity")
            self.assertEqual(a["domain"], "example.com")
            self.assertTrue(a["baseline"])
            self.assertGreater(a["details"]["validity_days"], 398)
            self.assertEqual(a["details"]["max_days"], 398)
        # Each issuance alerted once.
        keys = [a["key"] for a in alerts]
        self.assertEqual(len(keys), len(set(keys)))


if __name__ == "__main__":
    args = sys.argv[1:]
    SANITIZE = "--sanitize" in args
    args = [a for a in args if a != "--sanitize"]
    if not args:
        sys.exit(__doc__)
    BUILD_DIR = os.path.abspath(args.pop(0))
    unittest.main(argv=[sys.argv[0], "-v"] + args)
