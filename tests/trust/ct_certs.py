"""The certificates a local CT log serves, read back over its RFC 6962 API
and turned into what the other sources see: crt.sh JSON rows (crt.sh's
spelling of issuer_name) and PEM files.  So crtsh, ctlog and file can be
given literally the same certificates.  Only 127.0.0.1 is contacted."""
import base64
import datetime
import json
import os
import struct
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

# RFC 4514 short names for the attributes test CAs use.
SHORT = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU",
         "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST"}


def u24(b, off):
    return int.from_bytes(b[off:off + 3], "big")


def crtsh_dn(name):
    """crt.sh's issuer_name: DER order, ", " between attributes, a value
    with special characters in double quotes."""
    parts = []
    for rdn in name.rdns:
        for a in rdn:
            v = a.value
            if any(c in v for c in ',+"\\<>;') or v != v.strip():
                v = '"%s"' % v.replace('"', '\\"')
            parts.append("%s=%s" % (SHORT.get(a.oid.dotted_string,
                                               a.oid.dotted_string), v))
    return ", ".join(parts)


def fetch_entries(base, size, step=256):
    """(leaf_input, extra_data) of every entry, in order."""
    out = []
    for start in range(0, size, step):
        end = min(size, start + step) - 1
        url = "%s/rfc6962/ct/v1/get-entries?start=%d&end=%d" % (base, start,
                                                                 end)
        while len(out) <= end:
            with urllib.request.urlopen(url, timeout=30) as r:
                got = json.loads(r.read())["entries"]
            for e in got:
                out.append((base64.b64decode(e["leaf_input"]),
                            base64.b64decode(e["extra_data"])))
            url = "%s/rfc6962/ct/v1/get-entries?start=%d&end=%d" % (
                base, len(out), end)
    return out


def certificates(base, size):
    """(index, DER, is_precert) of every parsable entry."""
    out = []
    for i, (leaf, extra) in enumerate(fetch_entries(base, size)):
        entry_type = struct.unpack(">H", leaf[10:12])[0]
        if entry_type == 0:
            der = leaf[15:15 + u24(leaf, 12)]
        else:
            der = extra[3:3 + u24(extra, 0)]
        try:
            x509.load_der_x509_certificate(der)
        except ValueError:
            continue  # an unparsable entry: only the CT log shows it
        out.append((i, der, entry_type == 1))
    return out


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def validity(c):
    """(not_before, not_after) as naive UTC datetimes."""
    if hasattr(c, "not_valid_before_utc"):
        return (c.not_valid_before_utc.replace(tzinfo=None),
                c.not_valid_after_utc.replace(tzinfo=None))
    return c.not_valid_before, c.not_valid_after


def crtsh_row(crtsh_id, der, ca_id=4242):
    c = x509.load_der_x509_certificate(der)
    start, end = validity(c)
    try:
        san = c.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        names = san.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    cn = c.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    serial = "%x" % c.serial_number
    return {"issuer_ca_id": ca_id, "issuer_name": crtsh_dn(c.issuer),
            "common_name": cn[0].value if cn else "",
            "name_value": "\n".join(names), "id": crtsh_id,
            "entry_timestamp": iso(start) + ".5",
            "not_before": iso(start), "not_after": iso(end),
            "serial_number": serial if len(serial) % 2 == 0
            else "0" + serial, "result_count": 1}


def write_crtsh(path, certs):
    with open(path, "w") as f:
        json.dump([crtsh_row(9000000 + i, der) for i, der, _ in certs], f)


def write_pem_dir(path, certs):
    os.makedirs(path, exist_ok=True)
    for i, der, _ in certs:
        pem = x509.load_der_x509_certificate(der).public_bytes(
            serialization.Encoding.PEM)
        with open(os.path.join(path, "entry-%06d.pem" % i), "wb") as f:
            f.write(pem)


def not_after(der):
    end = validity(x509.load_der_x509_certificate(der))[1]
    return int(end.replace(tzinfo=datetime.timezone.utc).timestamp())


def read(path):
    with open(path) as f:
        return f.read()


def write_single_name_certs(pem_dir, names, serial_base, cn=True):
    """One self-issued 90-day certificate per name (its only SAN), as PEM
    files 0.pem, 1.pem, ... in pem_dir; the subject is CN=<name>, or O=x
    when cn is False (a name that cannot be a CN string)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    ca = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    start = datetime.datetime(2026, 11, 1)
    os.makedirs(pem_dir, exist_ok=True)
    for n, name in enumerate(names):
        subject = (x509.NameAttribute(NameOID.COMMON_NAME, name) if cn
                   else x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x"))
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([subject]))
                .issuer_name(ca).public_key(key.public_key())
                .serial_number(serial_base + n).not_valid_before(start)
                .not_valid_after(start + datetime.timedelta(days=90))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.DNSName(name)]), critical=False)
                .sign(key, hashes.SHA256()))
        with open(os.path.join(pem_dir, "%d.pem" % n), "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
