"""The man pages: built from docs/man/*.scd, `man -l` renders each without
warnings, and they say what the program does: every flag of `ctmon
--help` is in ctmon(1) and every flag there is real, every core key of
config/ctmon.cfg and docs/configuration.md is in ctmon.cfg(5), and every
bundled plugin is in ctmon-plugins(7)."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "integration"))
from harness import BINARY, SOURCE_DIR, CtmonTestCase  # noqa: E402

BUILD = os.environ.get("CTM_BINARY_DIR", os.path.join(SOURCE_DIR, "build"))
PAGES = ("ctmon.1", "ctmon.cfg.5", "ctmon-plugins.7")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z-]*[a-z]|-[hvq])\b")


def render(page):
    """The page as `man -l` shows it, on long lines (no hyphenation at
    line ends), ASCII hyphens; and man's warnings."""
    env = dict(os.environ, MANWIDTH="250", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    p = subprocess.run(["man", "--warnings", "-l", "-P", "cat",
                        os.path.join(BUILD, "man", page)],
                       capture_output=True, text=True, env=env, timeout=60)
    text = re.sub(r".\x08", "", p.stdout).replace("\u2010", "-")
    return p.returncode, text, p.stderr


class ManPages(CtmonTestCase):
    def test_pages_render_without_warnings(self):
        for page in PAGES:
            path = os.path.join(BUILD, "man", page)
            self.assertTrue(os.path.exists(path),
                            "%s not built: is scdoc installed?" % page)
            rc, text, warnings = render(page)
            self.assertEqual(rc, 0, warnings)
            self.assertEqual(warnings.strip(), "", page)
            self.assertIn("NAME", text)
            self.assertIn("SEE ALSO", text)

    def test_ctmon_1_matches_help(self):
        usage = self.run_ctmon("--help", check=0).stdout
        _, text, _ = render("ctmon.1")
        help_flags = set(FLAG.findall(usage))
        # Other programs' flags (systemctl enable --now) are not ours.
        page_flags = set(FLAG.findall("\n".join(
            line for line in text.splitlines() if "systemctl" not in line)))
        self.assertGreater(len(help_flags), 30)
        self.assertEqual(help_flags - page_flags, set(),
                         "flags of --help missing from ctmon(1)")
        self.assertEqual(page_flags - help_flags, set(),
                         "flags in ctmon(1) that ctmon does not have")
        for code in range(5):
            self.assertRegex(text, r"\n\s+%d\n" % code)

    def test_ctmon_cfg_5_has_every_core_key(self):
        with open(os.path.join(SOURCE_DIR, "config", "ctmon.cfg")) as f:
            cfg = f.read().split("---- plugin instances")[0]
        keys = set(re.findall(r"^#? ?([a-z_]+) +=", cfg, re.M))
        with open(os.path.join(SOURCE_DIR, "docs", "configuration.md")) as f:
            doc = f.read()
        table = doc.split("## Core keys")[1].split("## ")[0]
        keys |= set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))
        instance = doc.split("## Instance keys")[1].split("## ")[0]
        keys |= set(re.findall(r"^\| `([a-z_]+)` \|", instance, re.M))
        self.assertIn("dns_max_age", keys)
        self.assertIn("min_severity", keys)
        _, text, _ = render("ctmon.cfg.5")
        missing = sorted(k for k in keys
                         if not re.search(r"(?<![\w-])%s\b" % k, text))
        self.assertEqual(missing, [], "keys missing from ctmon.cfg(5)")

    def test_ctmon_plugins_7_has_every_plugin(self):
        listing = self.run_ctmon("--list-plugins", check=0).stdout
        names = re.findall(r"^(\w+) +(?:source|check|notifier) ", listing,
                           re.M)
        self.assertGreaterEqual(len(names), 13)
        _, text, _ = render("ctmon-plugins.7")
        for name in names:
            self.assertRegex(text, r"\n\s+%s\n" % name)


if __name__ == "__main__":
    unittest.main()
