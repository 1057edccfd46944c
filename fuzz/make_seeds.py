#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ from the real fixtures in
../shared/fixtures (or $CTM_FIXTURES_DIR) and this repository's configs.
Run once; its output is committed so the repository is self-contained.
corpus/README.md names the origin of every seed."""
import base64
import glob
import json
import os
import shutil
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
FIX = os.environ.get("CTM_FIXTURES_DIR",
                     os.path.join(os.path.dirname(SRC), "shared", "fixtures"))
OUT = os.path.join(HERE, "corpus")
CRTSH_PREFIX = 32 * 1024  # the two big crt.sh answers: their first 32 KiB


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def crtsh_rows():
    for p in sorted(glob.glob(os.path.join(FIX, "crtsh", "*.json"))):
        try:
            rows = json.load(open(p, encoding="utf-8"))
        except ValueError:
            continue
        for r in rows if isinstance(rows, list) else []:
            if isinstance(r, dict):
                yield r


def main():
    if os.path.isdir(OUT):
        for t in os.listdir(OUT):
            if os.path.isdir(os.path.join(OUT, t)):
                shutil.rmtree(os.path.join(OUT, t))
    # crt.sh bodies; the first byte tells the harness where to split.
    for p in sorted(glob.glob(os.path.join(FIX, "crtsh", "*.json"))):
        body = open(p, "rb").read()[:CRTSH_PREFIX]
        put("fuzz_crtsh_parse", os.path.basename(p), b"\x80" + body)
    # Names and issuers as crt.sh sends them.
    names, issuers = [], []
    for r in crtsh_rows():
        for n in (r.get("name_value") or "").split("\n") + [
                r.get("common_name") or ""]:
            if n and n not in names:
                names.append(n)
        i = r.get("issuer_name")
        if i and i not in issuers:
            issuers.append(i)
    for i, n in enumerate(names[:80]):
        put("fuzz_names", "name-%03d" % i, n.encode())
        put("fuzz_typosquat", "name-%03d" % i, n.encode())
    for i, n in enumerate(issuers[:40]):
        put("fuzz_dn", "issuer-%03d" % i, n.encode())
    # RFC 6962 JSON answers.
    rfc = os.path.join(FIX, "ctlog", "rfc6962")
    for p in sorted(glob.glob(os.path.join(rfc, "*get-entries*.json"))):
        put("fuzz_ct_entries", os.path.basename(p), open(p, "rb").read())
        for k, e in enumerate(json.load(open(p))["entries"]):
            li = base64.b64decode(e["leaf_input"])
            ed = base64.b64decode(e["extra_data"])
            put("fuzz_ct_leaf", "%s-%d" % (os.path.basename(p), k),
                len(li).to_bytes(2, "big") + li + ed)
    for p in sorted(glob.glob(os.path.join(rfc, "*get-sth*.json"))):
        put("fuzz_ct_sth", os.path.basename(p), open(p, "rb").read())
    # static-ct-api: checkpoints and a data tile.
    sct = os.path.join(FIX, "ctlog", "static-ct")
    for p in sorted(glob.glob(os.path.join(sct, "*.checkpoint"))):
        put("fuzz_ct_checkpoint", os.path.basename(p), open(p, "rb").read())
    tile = os.path.join(sct, "navigli2025h2", "tile", "data", "003.p", "10")
    put("fuzz_ct_tile", "navigli2025h2-data-003.p-10", open(tile, "rb").read())
    # Certificates: DER with the harness's mode byte (0 = whole cert).
    for p in sorted(glob.glob(os.path.join(FIX, "ctlog", "certs", "*.pem"))):
        text = open(p).read()
        start = text.find("-----BEGIN CERTIFICATE-----")
        end = text.find("-----END CERTIFICATE-----")
        if start < 0 or end < 0:
            continue
        der = ssl.PEM_cert_to_DER_cert(
            text[start:end] + "-----END CERTIFICATE-----\n")
        put("fuzz_ct_cert", os.path.basename(p) + ".der", b"\x00" + der)
    # Configurations: the shipped one and the config tests' files.
    put("fuzz_config", "ctmon.cfg",
        open(os.path.join(SRC, "config", "ctmon.cfg"), "rb").read())
    for p in sorted(glob.glob(os.path.join(SRC, "tests", "config", "data",
                                           "*.cfg"))):
        put("fuzz_config", os.path.basename(p), open(p, "rb").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
