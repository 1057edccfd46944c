"""ctmon as a service, in the real binary: which configuration file it
reads without --config ($CTMON_CONFIG, then the installed one, then the
built-in default, and it says which), and --smtp-pass wiped from
/proc/PID/cmdline of a running ctmon, which then stops cleanly on SIGTERM."""
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "integration"))
from harness import BINARY, SOURCE_DIR, CtmonTestCase  # noqa: E402

SAMPLE = os.path.join(SOURCE_DIR, "samples", "crtsh", "example.com.json")
SYSCONF = os.environ.get("CTM_SYSCONF_DIR", "/usr/local/etc/ctmon")


def private_mount_ns():
    """The unshare prefix that gives a private mount namespace (root, or
    an unprivileged user namespace), or None."""
    for cmd in (["unshare", "-m", "--propagation", "private"],
                ["unshare", "-r", "-m", "--propagation", "private"]):
        try:
            if subprocess.run(cmd + ["true"], capture_output=True,
                              timeout=20).returncode == 0:
                return cmd
        except (OSError, subprocess.TimeoutExpired):
            pass
    return None


class ConfigLookup(CtmonTestCase):
    def file_config(self, domains):
        return self.write_config(
            'database = "%s";\ndomains = [ %s ];\nresolve_dns = false;\n'
            'sources = ( { plugin = "file"; config = { paths = [ "%s" ]; '
            '}; } );\n' % (self.db, ", ".join('"%s"' % d for d in domains),
                           SAMPLE))

    def env_without_config(self):
        return {k: v for k, v in os.environ.items() if k != "CTMON_CONFIG"}

    def test_env_var_names_the_file(self):
        cfg = self.file_config(["example.com", "example.org"])
        p = self.run_ctmon("--check-config", env={"CTMON_CONFIG": cfg},
                           check=0)
        self.assertIn("2 domain(s)", p.stdout)
        self.assertIn("configuration: %s (from $CTMON_CONFIG)" % cfg,
                      p.stderr)

    def test_flag_beats_env_var(self):
        one = self.file_config(["example.com"])
        other = self.write_config('domains = [ "a.example", "b.example", '
                                  '"c.example" ];\n', name="other.cfg")
        p = self.run_ctmon("--config", one, "--check-config",
                           env={"CTMON_CONFIG": other}, check=0)
        self.assertIn("1 domain(s)", p.stdout)
        self.assertIn("(from --config)", p.stderr)

    def test_empty_env_var_means_built_in(self):
        p = self.run_ctmon("--check-config", env={"CTMON_CONFIG": ""},
                           check=0)
        self.assertIn("0 domain(s)", p.stdout)
        self.assertIn("configuration: built-in default", p.stderr)

    def run_with_sysconf(self, content, *args):
        """Runs ctmon (no --config, no $CTMON_CONFIG) with SYSCONF replaced
        by a directory holding `content` as ctmon.cfg (None: no file), in
        a private mount namespace so the real one is never touched."""
        ns = private_mount_ns()
        if ns is None:
            self.fail("no private mount namespace (unshare -m / -rm)")
        fake = os.path.join(self.tmp, "sysconf")
        target = SYSCONF
        if not os.path.isdir(SYSCONF):
            # Mount over the parent (it exists: /etc or <prefix>/etc).
            fake = os.path.join(fake, "parent")
            target = os.path.dirname(SYSCONF)
            os.makedirs(os.path.join(fake, os.path.basename(SYSCONF)))
            conf_dir = os.path.join(fake, os.path.basename(SYSCONF))
        else:
            os.makedirs(fake)
            conf_dir = fake
        if content is not None:
            with open(os.path.join(conf_dir, "ctmon.cfg"), "w") as f:
                f.write(content)
        script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'
        return subprocess.run(
            ns + ["sh", "-c", script, "sh", fake, target, BINARY, *args],
            capture_output=True, text=True, timeout=60,
            env=self.env_without_config())

    def test_installed_file_is_read(self):
        p = self.run_with_sysconf('domains = [ "installed.example" ];\n',
                                  "--check-config")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 domain(s)", p.stdout)
        self.assertIn("configuration: %s/ctmon.cfg" % SYSCONF, p.stderr)

    def test_no_installed_file_means_built_in(self):
        p = self.run_with_sysconf(None, "--check-config")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 domain(s)", p.stdout)
        self.assertIn("configuration: built-in default (no --config",
                      p.stderr)

    def test_broken_installed_file_is_an_error(self):
        p = self.run_with_sysconf('domains = [ "unterminated ;\n',
                                  "--check-config")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("ctmon.cfg", p.stderr)


class SecretScrub(CtmonTestCase):
    SECRET = "hunter2-do-not-show"

    def test_smtp_pass_leaves_the_command_line(self):
        cfg = self.write_config(
            'database = "%s";\ndomains = [ "example.com" ];\n'
            'resolve_dns = false;\nsources = ( { plugin = "file"; config = '
            '{ paths = [ "%s" ]; }; } );\n' % (self.db, SAMPLE))
        err_path = os.path.join(self.tmp, "stderr")
        # Port 9 on 127.0.0.1: nothing listens, nothing leaves the host
        # (and the baseline cycle queues no mail anyway).
        with open(err_path, "w") as err:
            proc = subprocess.Popen(
                [BINARY, "--config", cfg, "--continuous", "--interval",
                 "3600", "--smtp-host", "127.0.0.1", "--smtp-port", "9",
                 "--smtp-pass", self.SECRET, "--email-from",
                 "ctmon@example.com", "--email-to", "ops@example.com"], stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                with open(err_path) as f:
                    if "cycle:" in f.read():
                        break
                if proc.poll() is not None:
                    with open(err_path) as f:
                        self.fail("ctmon exited %d:\n%s" % (proc.returncode,
                                                              f.read()))
                time.sleep(0.1)
            with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
                cmdline = f.read()
            self.assertNotIn(self.SECRET.encode(), cmdline)
            self.assertNotIn(b"hunter2", cmdline)
            # The rest of the command line is intact.
            self.assertIn(b"--smtp-pass\0", cmdline)
            self.assertIn(b"--continuous\0", cmdline)
            self.assertIn(b"ops@example.com", cmdline)
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=60), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with open(err_path) as f:
            log = f.read()
        self.assertNotIn(self.SECRET, log)
        self.assertIn("--smtp-pass puts the password where", log)


if __name__ == "__main__":
    unittest.main()
