/* ct_cert.c - see ct_cert.h. */
#include "ct_cert.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ct_tbs.h"

void ct_cert_init(struct ct_cert *ci) { memset(ci, 0, sizeof *ci); }

void ct_cert_free(struct ct_cert *ci)
{
	free(ci->serial);
	free(ci->cn);
	free(ci->issuer_dn);
	free(ci->issuer_der);
	free(ci->names);
	free(ci->text);
	free(ci->buf);
	memset(ci, 0, sizeof *ci);
}

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* A bare TBS wrapped as a Certificate with an empty signature, only so
 * OpenSSL's accessors can read it (never used for signatures). */
static int wrap_tbs(struct ct_cert *ci, const uint8_t *tbs, size_t len,
		    size_t *out_len)
{
	static const uint8_t tail[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
				       0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
				       0x0b, 0x05, 0x00, 0x03, 0x01, 0x00};
	size_t body = len + sizeof tail, o = 0;

	if (len > 0xffffff || grow(&ci->buf, &ci->buf_cap, body + 6, 1))
		return -1;
	ci->buf[o++] = 0x30;
	if (body < 0x80) {
		ci->buf[o++] = (uint8_t)body;
	} else if (body < 0x10000) {
		ci->buf[o++] = 0x82;
		ci->buf[o++] = (uint8_t)(body >> 8);
		ci->buf[o++] = (uint8_t)body;
	} else {
		ci->buf[o++] = 0x83;
		ci->buf[o++] = (uint8_t)(body >> 16);
		ci->buf[o++] = (uint8_t)(body >> 8);
		ci->buf[o++] = (uint8_t)body;
	}
	memcpy(ci->buf + o, tbs, len);
	memcpy(ci->buf + o + len, tail, sizeof tail);
	*out_len = o + body;
	return 0;
}

static int add_name(struct ct_cert *ci, const unsigned char *s, size_t len)
{
	if (len == 0 || memchr(s, 0, len))
		return 0; /* an embedded NUL would truncate the name */
	if (grow(&ci->text, &ci->text_cap, ci->text_len + len + 1, 1))
		return -1;
	memcpy(ci->text + ci->text_len, s, len);
	ci->text[ci->text_len + len] = '\0';
	ci->text_len += len + 1;
	ci->c.n_names++;
	return 0;
}

static int collect_names(struct ct_cert *ci, X509 *x)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	int rc = 0, n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	size_t off = 0;

	ci->text_len = 0;
	ci->c.n_names = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			rc = add_name(ci, ASN1_STRING_get0_data(g->d.dNSName),
				      (size_t)ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	if (rc || grow(&ci->names, &ci->names_cap, ci->c.n_names + 1,
		       sizeof(char *)))
		return -1;
	for (size_t i = 0; i < ci->c.n_names; i++) {
		ci->names[i] = ci->text + off;
		off += strlen(ci->text + off) + 1;
	}
	ci->c.names = (const char *const *)ci->names;
	return 0;
}

static int collect_cn(struct ct_cert *ci, X509 *x)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	int idx = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1)
		       : -1;
	unsigned char *utf8 = NULL;
	int len;

	free(ci->cn);
	ci->cn = NULL;
	if (idx < 0)
		return 0;
	len = ASN1_STRING_to_UTF8(
		&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)));
	if (len > 0 && !memchr(utf8, 0, (size_t)len)) {
		ci->cn = malloc((size_t)len + 1);
		if (ci->cn) {
			memcpy(ci->cn, utf8, (size_t)len);
			ci->cn[len] = '\0';
		}
	}
	OPENSSL_free(utf8);
	return 0;
}

/* Issuers repeat from entry to entry: keep the text of the last one. */
static int collect_issuer(struct ct_cert *ci, X509 *x)
{
	const X509_NAME *name = X509_get_issuer_name(x);
	const unsigned char *der = NULL;
	size_t der_len = 0;
	BIO *b = NULL;
	char *text;
	long n;
	int rc = -1;

	if (!name || X509_NAME_get0_der(name, &der, &der_len) != 1)
		return -1;
	if (ci->issuer_dn && der_len == ci->issuer_der_len &&
	    memcmp(der, ci->issuer_der, der_len) == 0)
		return 0;
	b = BIO_new(BIO_s_mem());
	if (!b || X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0)
		goto out;
	n = BIO_get_mem_data(b, &text);
	free(ci->issuer_dn);
	free(ci->issuer_der);
	ci->issuer_der = malloc(der_len ? der_len : 1);
	ci->issuer_dn = malloc((size_t)n + 1);
	if (!ci->issuer_dn || !ci->issuer_der) {
		free(ci->issuer_dn);
		free(ci->issuer_der);
		ci->issuer_dn = NULL;
		ci->issuer_der = NULL;
		goto out;
	}
	memcpy(ci->issuer_dn, text, (size_t)n);
	ci->issuer_dn[n] = '\0';
	memcpy(ci->issuer_der, der, der_len);
	ci->issuer_der_len = der_len;
	rc = 0;
out:
	BIO_free(b);
	return rc;
}

static int collect_serial(struct ct_cert *ci, X509 *x)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);
	int len = s ? ASN1_STRING_length(s) : 0;

	if (len <= 0 || grow(&ci->serial, &ci->serial_cap,
			     2 * (size_t)len + 1, 1))
		return -1;
	ct_hex(ASN1_STRING_get0_data(s), (size_t)len, ci->serial);
	return 0;
}

static int64_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

int ct_cert_parse(struct ct_cert *ci, struct ct_hash *h, const uint8_t *der,
		  size_t len, int tbs_only, const uint8_t *logged,
		  size_t logged_len)
{
	const uint8_t *tbs = der, *p;
	size_t tbs_len = len, wrapped = 0, stripped = 0;
	uint8_t digest[CT_HASH_LEN];
	X509 *x = NULL;
	int rc = CTMON_EFORMAT;

	memset(&ci->c, 0, sizeof ci->c);
	ci->c.size = sizeof ci->c;
	ci->c.log_index = -1;
	ci->c.is_precert = -1;
	if (tbs_only) {
		if (wrap_tbs(ci, der, len, &wrapped) != 0)
			return CTMON_ENOMEM;
		p = ci->buf;
		x = d2i_X509(NULL, &p, (long)wrapped);
		if (x && p != ci->buf + wrapped)
			goto out;
	} else {
		if (ct_cert_tbs(der, len, &tbs, &tbs_len) != 0)
			goto out;
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
		if (x && p != der + len)
			goto out;
	}
	if (!x)
		goto out;
	/* The stripped TBS goes after the wrapped copy in the same buffer. */
	if (grow(&ci->buf, &ci->buf_cap, wrapped + tbs_len, 1)) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	if (tbs_only)
		tbs = der; /* ci->buf may have moved; der is the caller's */
	if (ct_tbs_strip(tbs, tbs_len, ci->buf + wrapped, &stripped) != 0)
		goto out;
	ct_sha256(h, ci->buf + wrapped, stripped, NULL, 0, NULL, 0, digest);
	ct_hex(digest, CT_HASH_LEN, ci->tbs_hash);
	if (collect_names(ci, x) || collect_cn(ci, x) ||
	    collect_issuer(ci, x) || collect_serial(ci, x)) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	ci->c.tbs_hash = ci->tbs_hash;
	ci->c.subject_cn = ci->cn;
	ci->c.issuer_dn = ci->issuer_dn;
	ci->c.serial = ci->serial;
	ci->c.not_before = asn1_time(X509_get0_notBefore(x));
	ci->c.not_after = asn1_time(X509_get0_notAfter(x));
	if (logged) {
		ct_sha256(h, logged, logged_len, NULL, 0, NULL, 0, digest);
		ct_hex(digest, CT_HASH_LEN, ci->fingerprint);
		ci->c.fingerprint = ci->fingerprint;
		ci->c.der = logged;
		ci->c.der_len = logged_len;
	}
	rc = CTMON_OK;
out:
	X509_free(x);
	return rc;
}
