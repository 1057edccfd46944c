#!/usr/bin/env python3
"""Backfill benchmark: ctmon's ctlog source against Debian's certspotter
on the same local RFC 6962 log (tests/servers/ctlog_server.py), in the
same run.  Usage: bench_ctlog.py BUILD_DIR [ENTRIES] [BATCH]

Both backfill ENTRIES entries (batches of BATCH) with a watch list of 10
domains (~1 % of entries match).  Measured: CPU seconds of the monitor
process (user + sys, from /proc or rusage) and wall time.  certspotter
runs forever, so it is stopped once its state says it verified the whole
tree; its CPU is read from /proc just before.  Only 127.0.0.1 is used."""
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "tests", "servers", "ctlog_server.py")
WATCH = ["w%d.example" % k for k in range(10)]


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    tmp = tempfile.mkdtemp(prefix="bench-ctlog-")
    domains = WATCH + ["d%d.test" % k for k in range(990)]
    port_file = os.path.join(tmp, "port")
    t = time.monotonic()
    srv = subprocess.Popen([sys.executable, SERVER, "--port-file", port_file,
                            "--entries", str(n), "--pool", "5000",
                            "--pair-every", "10", "--no-static",
                            "--domains", ",".join(domains)],
                           stdout=subprocess.DEVNULL)
    try:
        while not os.path.exists(port_file):
            if srv.poll() is not None:
                raise SystemExit("server died")
            time.sleep(0.2)
        base = "http://127.0.0.1:%s" % open(port_file).read().strip()
        info = json.load(urllib.request.urlopen(base + "/_info"))
        print("server ready: %d entries in %.0f s" % (
            info["size"], time.monotonic() - t), file=sys.stderr)
        res = {"entries": n, "batch": batch}
        res["ctmon"] = run_ctmon(build, tmp, info, batch)
        res["certspotter"] = run_certspotter(tmp, info, n, batch)
        for k in ("ctmon", "certspotter"):
            r = res[k]
            r["entries_per_cpu_s"] = round(n / r["cpu_s"]) if r["cpu_s"] else 0
        print(json.dumps(res))
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def run_ctmon(build, tmp, info, batch):
    db = os.path.join(tmp, "ctmon.db")
    cfg = os.path.join(tmp, "ctmon.cfg")
    with open(cfg, "w") as f:
        f.write('database = "%s";\ndomains = [ %s ];\n'
                'sources = ( { plugin = "ctlog"; config = { start_index = 0;'
                ' batch_size = %d; jobs = 2; logs = ( { name = "bench"; '
                'url = "%s"; key = "%s"; } ); }; } );\n'
                'notifiers = ( { plugin = "stdout"; config = { format = '
                '"jsonl"; }; } );\n'
                % (db, ", ".join('"%s"' % d for d in WATCH), batch,
                   info["rfc6962_url"], info["rfc6962_key"]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    p = subprocess.run([os.path.join(build, "bin", "ctmon"), "--config", cfg],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, env=dict(os.environ, CTMON_PLUGIN_DIR=os.path.join(
                           build, "lib", "ctmon", "plugins")))
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit("ctmon failed:\n" + p.stderr[-2000:])
    stored = subprocess.run(["sqlite3", db, "SELECT count(*) FROM "
                             "certificates"], capture_output=True,
                            text=True).stdout.strip()
    return {"wall_s": round(wall, 1),
            "cpu_s": round(after.ru_utime - before.ru_utime +
                           after.ru_stime - before.ru_stime, 1),
            "matching_certs_stored": int(stored or 0)}


def run_certspotter(tmp, info, n, batch):
    exe = shutil.which("certspotter")
    if not exe:
        return {"error": "certspotter not installed (apt-get install "
                         "certspotter)", "cpu_s": 0}
    state = os.path.join(tmp, "cs-state")
    os.mkdir(state)
    wl = os.path.join(tmp, "watchlist")
    with open(wl, "w") as f:
        f.write("".join(".%s\n" % d for d in WATCH))
    lst = os.path.join(tmp, "logs.json")
    with open(lst, "w") as f:
        json.dump({"version": "1", "operators": [{"name": "bench",
                   "email": ["x@example.com"], "logs": [{
                       "description": "bench", "log_id": info["rfc6962_log_id"],
                       "key": info["rfc6962_key"], "url": info["rfc6962_url"],
                       "mmd": 86400, "state": {"usable": {
                           "timestamp": "2026-01-01T00:00:00Z"}}}]}]}, f)
    t = time.monotonic()
    p = subprocess.Popen([exe, "-logs", lst, "-watchlist", wl, "-state_dir",
                          state, "-batch_size", str(batch), "-no_save",
                          "-stdout"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu = 0.0
    done = False
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.5)
        cpu = proc_cpu(p.pid)
        for path in glob.glob(os.path.join(state, "logs", "*", "state.json")):
            try:
                st = json.load(open(path))
            except (OSError, ValueError):
                continue
            pos = (st.get("verified_position") or {}).get("size") or \
                st.get("verified_position_size") or 0
            if pos >= n:
                done = True
        if done:
            break
    wall = time.monotonic() - t
    p.terminate()
    err = p.communicate(timeout=30)[1].decode(errors="replace")
    if not done:
        return {"error": "did not finish: " + err[-500:], "cpu_s": cpu,
                "wall_s": round(wall, 1)}
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


if __name__ == "__main__":
    main()
