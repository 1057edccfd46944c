/*
 * ct_cert.h - a logged certificate (DER) or precertificate TBS to the
 * fields of a struct ctmon_cert, with OpenSSL: issuer DN, subject CN, SAN
 * dNSNames, serial, validity, fingerprint and the pairing TBS hash.
 * Everything in a certificate is attacker-controlled: names are passed
 * as found (NUL-containing ones dropped) and the core normalises them.
 */
#ifndef CT_CERT_H
#define CT_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "ct_util.h"
#include "ctmon/plugin.h"

/* Reused from certificate to certificate; the ctmon_cert points into it
 * and stays valid until the next ct_cert_parse or ct_cert_free. */
struct ct_cert {
	struct ctmon_cert c;
	char fingerprint[2 * CT_HASH_LEN + 1];
	char tbs_hash[2 * CT_HASH_LEN + 1];
	char *serial;           /* hex */
	size_t serial_cap;
	char *cn;
	char *issuer_dn;        /* cached for the last issuer seen */
	uint8_t *issuer_der;
	size_t issuer_der_len;
	char **names;
	size_t names_cap;
	char *text;             /* names, NUL-separated */
	size_t text_len, text_cap;
	uint8_t *buf;           /* wrapped TBS, stripped TBS */
	size_t buf_cap;
};

void ct_cert_init(struct ct_cert *ci);
void ct_cert_free(struct ct_cert *ci);

/*
 * Parses `der`: a whole certificate, or when tbs_only a bare
 * TBSCertificate (a precert entry's leaf TBS, issuer already the final
 * CA's).  Fills ci->c: names, CN, issuer, serial, validity, tbs_hash;
 * der/fingerprint are those of `logged` (the DER the log holds: the
 * certificate, or the precertificate from extra_data; NULL for none).
 * log_id, log_index, entry_timestamp and is_precert are the caller's.
 * Returns CTMON_OK, CTMON_EFORMAT (not parsable) or CTMON_ENOMEM.
 */
int ct_cert_parse(struct ct_cert *ci, struct ct_hash *h, const uint8_t *der,
		  size_t len, int tbs_only, const uint8_t *logged,
		  size_t logged_len);

#endif
