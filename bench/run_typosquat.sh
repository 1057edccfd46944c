#!/usr/bin/env bash
# Typosquat benchmark (issue 6), baseline in the same run:
#  1. generation: ctmon's candidate sets of the six domains of
#     shared/docs/typosquat.md (in-process, and the whole
#     `ctmon --typosquats --list-candidates` command) against Debian's
#     `dnstwist --format list` and dnstwist's own Fuzzer.generate();
#  2. passive matching: NAMES random host names + 1 % planted lookalikes
#     against 10 protected domains, exact set alone and fuzzy rules on.
# Usage: bench/run_typosquat.sh BUILD_DIR [NAMES]   (needs dnstwist)
set -euo pipefail
build=${1:-build}
names=${2:-2000000}
bench="$build/bench/bench_typosquat"
ctmon="$build/bin/ctmon"
export CTMON_PLUGIN_DIR="$build/lib/ctmon/plugins"
command -v dnstwist >/dev/null || { echo "dnstwist missing (scripts/deps.sh)" >&2; exit 1; }
# dnstwist's own interpreter: its module lives in Debian's python3.
py=$(head -n1 "$(command -v dnstwist)" | sed 's/^#! *//; s/ .*//')

echo "## generation (median of 7 runs per tool and domain)"
"$bench" gen 7 > /tmp/bench_typosquat_gen.$$
"$py" - "$ctmon" /tmp/bench_typosquat_gen.$$ <<'PY'
import statistics, subprocess, sys, time
import dnstwist

ctmon, genfile = sys.argv[1], sys.argv[2]
lib = {}
total_lib = None
for line in open(genfile):
    f = line.split()
    if f[0] == "domain":
        lib[f[1]] = (int(f[2]), float(f[3]) / 1e3)
    elif f[0] == "total_ms":
        total_lib = float(f[1]) / 1e3

def median_run(argv, reps=7):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)

def dnstwist_generate(domain, reps=7):
    ts, n = [], 0
    for _ in range(reps):
        t = time.perf_counter()
        f = dnstwist.Fuzzer(dnstwist.UrlParser(domain).domain)
        f.generate()
        ts.append(time.perf_counter() - t)
        n = len(f.domains)
    return statistics.median(ts), n

print("| domain | ctmon candidates | ctmon in-process | `ctmon --list-candidates` | dnstwist candidates | `dnstwist --format list` | dnstwist `Fuzzer.generate()` |")
print("|---|---|---|---|---|---|---|")
tot = [0.0, 0.0, 0.0]
for d, (n, t_lib) in lib.items():
    t_cli = median_run([ctmon, "-q", "--typosquats", "--list-candidates", d])
    t_dt = median_run(["dnstwist", "--format", "list", d])
    t_gen, n_dt = dnstwist_generate(d)
    tot[0] += t_cli; tot[1] += t_dt; tot[2] += t_gen
    print("| %s | %d | %.1f ms | %.1f ms | %d | %.0f ms | %.0f ms |" %
          (d, n, t_lib * 1e3, t_cli * 1e3, n_dt, t_dt * 1e3, t_gen * 1e3))
print("| **all six** | | **%.1f ms** | **%.0f ms** | | **%.0f ms** | **%.0f ms** |" %
      (total_lib * 1e3, tot[0] * 1e3, tot[1] * 1e3, tot[2] * 1e3))
print()
print("- in-process vs `dnstwist --format list`: %.0fx" % (tot[1] / total_lib))
print("- in-process vs dnstwist `Fuzzer.generate()`: %.0fx" % (tot[2] / total_lib))
print("- `ctmon --list-candidates` vs `dnstwist --format list` (both whole commands): %.0fx" % (tot[1] / tot[0]))
PY
rm -f /tmp/bench_typosquat_gen.$$

echo
echo "## passive matching ($names random names + 1 % planted, one core)"
"$bench" match "$names" > /tmp/bench_typosquat_match.$$
awk -F'\t' '
  /^protected/ { split($0, a, " "); printf("protected domains: %s, exact-set keys: %s, names: %s (planted %s)\n\n", a[2], a[4], a[6], a[8]) }
  /^exact_names_per_s/ { split($0, a, " "); exact = a[2] }
  /^fuzzy_names_per_s/ { split($0, a, " "); fuzzy = a[2] }
  /^kind/ { kinds[++n] = $0 }
  /^false_positive/ { fp[++m] = $2 " (" $3 ", " $4 ")" }
  END {
    printf("| configuration | names/s |\n|---|---|\n| exact set alone | %d |\n| exact + fuzzy rules | %d |\n\n", exact, fuzzy)
    printf("| names | count | flagged, exact set | flagged, fuzzy on |\n|---|---|---|---|\n")
    for (i = 1; i <= n; i++) { split(kinds[i], k, "\t"); printf("| %s | %d | %d (%.1f %%) | %d (%.1f %%) |\n", k[2], k[3], k[4], 100*k[4]/k[3], k[5], 100*k[5]/k[3]) }
    printf("\nrandom names flagged with fuzzy rules on:")
    for (i = 1; i <= m; i++) printf("%s %s", i > 1 ? "," : "", fp[i])
    printf("\n")
  }' /tmp/bench_typosquat_match.$$
rm -f /tmp/bench_typosquat_match.$$
