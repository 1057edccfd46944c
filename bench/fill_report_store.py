#!/usr/bin/env python3
"""Fills a ctmon store (schema made by ctmon itself) with N synthetic but
realistic issuances for the report benchmark (bench/run_report.sh).

Shapes: 5 monitored domains; 12 issuing CAs with Let's Encrypt-like
weights (90-day certificates dominate, some 1-year ones); not_before
spread over two years before NOW; 1-3 names an issuance drawn from a pool
of N/20 subdomain names; one certificate row an issuance with a crt.sh
id; subdomains with DNS statuses (a few dangling CNAMEs); 1 alert per
500 issuances, a quarter acknowledged; one CA flagged unauthorised.
Usage: fill_report_store.py DB N NOW
"""
import json
import random
import sqlite3
import sys

db, n, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
DAY = 86400
DOMAINS = ["example.com", "example.net", "shop.example.org", "bank.test",
           "corp.example"]
CAS = [  # (crt.sh CA id, DN, weight, validity days)
    (183267, "C=US, O=Let's Encrypt, CN=R3", 40, 90),
    (295810, "C=US, O=Let's Encrypt, CN=R10", 20, 90),
    (295819, "C=US, O=Let's Encrypt, CN=R11", 15, 90),
    (185756, "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1",
     8, 365),
    (157939, "C=GB, O=Sectigo Limited, CN=Sectigo RSA Domain Validation "
     "Secure Server CA", 5, 365),
    (180753, "C=US, O=Google Trust Services LLC, CN=GTS CA 1D4", 4, 90),
    (285001, "C=US, O=Google Trust Services, CN=WR1", 3, 90),
    (16418, "C=US, O=Amazon, CN=Amazon RSA 2048 M01", 2, 395),
    (1191, "C=BE, O=GlobalSign nv-sa, CN=GlobalSign RSA OV SSL CA 2018", 1,
     397),
    (9324, "C=US, O=ZeroSSL, CN=ZeroSSL RSA Domain Secure Site CA", 1, 90),
    (69, "C=US, O=Buypass, CN=Buypass Class 2 CA 5", 0.5, 180),
    (999001, "C=XX, O=Unexpected CA, CN=Rogue Issuing CA 1", 0.5, 365),
]
weights = [c[2] for c in CAS]
pool = []
for i in range(max(n // 20, 10)):
    d = DOMAINS[i % len(DOMAINS)]
    pool.append((d, "h%d-%s.%s" % (i, rnd.choice(["api", "www", "cdn", "mail",
                                                  "vpn", "app"]), d)))

con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=OFF")
cur = con.cursor()
cur.execute("BEGIN")
for d in DOMAINS:
    cur.execute("INSERT OR IGNORE INTO domains VALUES (?, ?, ?)",
                (d, now - 800 * DAY, now - 799 * DAY))
first_of = {}
iss_rows, cert_rows, name_rows, link_rows = [], [], [], []


def flush():
    cur.executemany("INSERT INTO issuances (id, issuance_key, issuer_ca_id,"
                    " issuer_dn, serial, not_before, not_after, subject_cn,"
                    " first_seen, names_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    iss_rows)
    cur.executemany("INSERT INTO certificates (id, issuance_id, crtsh_id,"
                    " issuer_ca_id, issuer_dn, serial, not_before, not_after,"
                    " is_precert, source, first_seen) VALUES"
                    " (?,?,?,?,?,?,?,?,?,?,?)", cert_rows)
    cur.executemany("INSERT OR IGNORE INTO certificate_names VALUES (?, ?)",
                    name_rows)
    cur.executemany("INSERT OR IGNORE INTO issuance_domains VALUES (?, ?)",
                    link_rows)
    for lst in (iss_rows, cert_rows, name_rows, link_rows):
        lst.clear()


for i in range(1, n + 1):
    ca_id, dn, _, days = rnd.choices(CAS, weights)[0]
    nb = now - rnd.randrange(730 * DAY)
    names = sorted({rnd.choice(pool) for _ in range(rnd.randint(1, 3))})
    serial = "%032x" % rnd.getrandbits(128)
    iss_rows.append((i, "ca:%d|s:%s" % (ca_id, serial), ca_id, dn, serial, nb,
                     nb + days * DAY - 1, names[0][1], nb + 3600,
                     json.dumps([x[1] for x in names])))
    cert_rows.append((i, i, 5000000000 + i, ca_id, dn, serial, nb,
                      nb + days * DAY - 1, 0, "crtsh", nb + 3600))
    for d, name in names:
        name_rows.append((i, name))
        link_rows.append((d, i))
        if (d, name) not in first_of or nb < first_of[(d, name)][1]:
            first_of[(d, name)] = (i, nb)
    if len(iss_rows) >= 50000:
        flush()
flush()
STATUSES = ["resolved"] * 80 + ["nxdomain"] * 12 + ["nodata"] * 5 + \
    ["dangling_cname"] * 1 + [None] * 2
for (d, name), (iss, nb) in first_of.items():
    st = rnd.choice(STATUSES)
    cur.execute("INSERT INTO subdomains VALUES (?,?,?,?,?,?,?,?,?)",
                (d, name, nb + 3600, now - DAY, iss, st,
                 "192.0.2.%d" % rnd.randrange(255) if st == "resolved"
                 else None,
                 "gone.cloud.example" if st == "dangling_cname" else None,
                 now - DAY if st else None))
for k in range(n // 500):
    i = rnd.randrange(1, n + 1)
    d = DOMAINS[k % len(DOMAINS)]
    typ = rnd.choice(["new_subdomain", "certificate_expiring", "wildcard",
                      "unauthorized_ca"])
    details = {"issuance": {"id": i, "crtsh_ids": [5000000000 + i],
                            "issuer": CAS[-1][1], "names": ["x.%s" % d],
                            "not_before": "2025-01-01T00:00:00Z",
                            "not_after": "2025-04-01T00:00:00Z"}}
    cur.execute("INSERT OR IGNORE INTO alerts (type, severity, domain,"
                " alert_key, details, issuance_id, check_id, created_at,"
                " acknowledged_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (typ, rnd.randrange(5), d, "k%d" % k, json.dumps(details), i,
                 typ, now - rnd.randrange(60 * DAY),
                 now if k % 4 == 0 else None))
con.commit()
con.close()
print("filled %d issuances, %d subdomains" % (n, len(first_of)))
