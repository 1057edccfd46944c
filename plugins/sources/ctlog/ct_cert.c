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

/* A NUL inside a dNSName is a classic misissuance trick; it would cut a
 * C string short, so it is passed on spelt "\x00" and the core reports
 * the name as malformed instead of seeing half of it. */
static int add_name(struct ct_cert *ci, const unsigned char *s, size_t len)
{
	size_t nuls = 0, k;

	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		nuls += s[i] == 0;
	if (grow(&ci->text, &ci->text_cap, ci->text_len + len + 3 * nuls + 1,
		 1))
		return -1;
	k = ci->text_len;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == 0) {
			memcpy(ci->text + k, "\\x00", 4);
			k += 4;
		} else {
			ci->text[k++] = (char)s[i];
		}
	}
	ci->text[k] = '\0';
	ci->text_len = k + 1;
	ci->c.n_names++;
	return 0;
}

static int collect_names(struct ct_cert *ci, const struct ct_tbs_fields *f)
{
	const unsigned char *p = f->san;
	GENERAL_NAMES *gens =
		f->san ? d2i_GENERAL_NAMES(NULL, &p, (long)f->san_len) : NULL;
	int rc = 0, n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	size_t off = 0;

	ci->text_len = 0;
	ci->c.n_names = 0;
	if (f->san && !gens)
		return 1; /* a SAN extension that does not decode */
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

static int collect_cn(struct ct_cert *ci, const struct ct_tbs_fields *f)
{
	const unsigned char *p = f->subject;
	X509_NAME *subj = d2i_X509_NAME(NULL, &p, (long)f->subject_len);
	int idx = subj ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1)
		       : -1;
	unsigned char *utf8 = NULL;
	int len;

	free(ci->cn);
	ci->cn = NULL;
	if (!subj)
		return 1;
	if (idx >= 0) {
		len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
							 X509_NAME_get_entry(subj,
									     idx)));
		if (len > 0 && !memchr(utf8, 0, (size_t)len)) {
			ci->cn = malloc((size_t)len + 1);
			if (ci->cn) {
				memcpy(ci->cn, utf8, (size_t)len);
				ci->cn[len] = '\0';
			}
		}
		OPENSSL_free(utf8);
	}
	X509_NAME_free(subj);
	return 0;
}

/* The issuer DN as crt.sh spells issuer_name: attributes in DER order,
 * ", " between them, a value with special characters in double quotes
 * (O="DigiCert, Inc."), UTF-8 kept.  The same certificate then shows one
 * issuer in alerts whichever source saw it first; the store keys both
 * spellings to one canonical form anyway (core/dn.c). */
#define CRTSH_NAME_FLAGS                                                       \
	((XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & ~ASN1_STRFLGS_ESC_MSB) |         \
	 ASN1_STRFLGS_UTF8_CONVERT)

/* Issuers repeat from entry to entry: keep the text of the last one. */
static int collect_issuer(struct ct_cert *ci, const struct ct_tbs_fields *f)
{
	const unsigned char *p = f->issuer;
	X509_NAME *name = NULL;
	BIO *b = NULL;
	char *text;
	long n;
	int rc = 1;

	if (ci->issuer_dn && f->issuer_len == ci->issuer_der_len &&
	    memcmp(f->issuer, ci->issuer_der, f->issuer_len) == 0)
		return 0;
	name = d2i_X509_NAME(NULL, &p, (long)f->issuer_len);
	if (!name)
		return 1;
	rc = -1;
	b = BIO_new(BIO_s_mem());
	if (!b || X509_NAME_print_ex(b, name, 0, CRTSH_NAME_FLAGS) < 0)
		goto out;
	n = BIO_get_mem_data(b, &text);
	free(ci->issuer_dn);
	free(ci->issuer_der);
	ci->issuer_der = malloc(f->issuer_len);
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
	memcpy(ci->issuer_der, f->issuer, f->issuer_len);
	ci->issuer_der_len = f->issuer_len;
	rc = 0;
out:
	BIO_free(b);
	X509_NAME_free(name);
	return rc;
}

static int collect_serial(struct ct_cert *ci, const struct ct_tbs_fields *f)
{
	if (grow(&ci->serial, &ci->serial_cap, 2 * f->serial_len + 1, 1))
		return -1;
	ct_hex(f->serial, f->serial_len, ci->serial);
	return 0;
}

/* UTCTime or GeneralizedTime TLV to seconds; -1 if it does not decode. */
static int der_time(const uint8_t *der, size_t len, int64_t *out)
{
	const unsigned char *p = der;
	ASN1_TIME *t = d2i_ASN1_TIME(NULL, &p, (long)len);
	struct tm tm;
	int ok = t && ASN1_TIME_to_tm(t, &tm) == 1;

	ASN1_TIME_free(t);
	if (!ok)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Fields are read from the TBS with OpenSSL's decoders for names, times
 * and the SAN extension, never through d2i_X509: OpenSSL 3 decodes the
 * public key of every certificate it parses through its provider
 * machinery, which alone costs more than everything else here. */
int ct_cert_parse(struct ct_cert *ci, struct ct_hash *h, const uint8_t *der,
		  size_t len, int tbs_only, const uint8_t *logged,
		  size_t logged_len)
{
	const uint8_t *tbs = der;
	size_t tbs_len = len, stripped = 0;
	uint8_t digest[CT_HASH_LEN];
	struct ct_tbs_fields f;
	int rc;

	memset(&ci->c, 0, sizeof ci->c);
	ci->c.size = sizeof ci->c;
	ci->c.log_index = -1;
	ci->c.is_precert = -1;
	if (!tbs_only && ct_cert_tbs(der, len, &tbs, &tbs_len) != 0)
		return CTMON_EFORMAT;
	if (ct_tbs_fields(tbs, tbs_len, &f) != 0)
		return CTMON_EFORMAT;
	if (grow(&ci->buf, &ci->buf_cap, tbs_len, 1))
		return CTMON_ENOMEM;
	if (ct_tbs_strip(tbs, tbs_len, ci->buf, &stripped) != 0)
		return CTMON_EFORMAT;
	ct_sha256(h, ci->buf, stripped, NULL, 0, NULL, 0, digest);
	ct_hex(digest, CT_HASH_LEN, ci->tbs_hash);
	if (der_time(f.not_before, f.not_before_len, &ci->c.not_before) ||
	    der_time(f.not_after, f.not_after_len, &ci->c.not_after))
		return CTMON_EFORMAT;
	if ((rc = collect_names(ci, &f)) != 0 || (rc = collect_cn(ci, &f)) != 0 ||
	    (rc = collect_issuer(ci, &f)) != 0 ||
	    (rc = collect_serial(ci, &f)) != 0)
		return rc > 0 ? CTMON_EFORMAT : CTMON_ENOMEM;
	ci->c.tbs_hash = ci->tbs_hash;
	ci->c.subject_cn = ci->cn;
	ci->c.issuer_dn = ci->issuer_dn;
	ci->c.serial = ci->serial;
	if (logged) {
		ct_sha256(h, logged, logged_len, NULL, 0, NULL, 0, digest);
		ct_hex(digest, CT_HASH_LEN, ci->fingerprint);
		ci->c.fingerprint = ci->fingerprint;
		ci->c.der = logged;
		ci->c.der_len = logged_len;
	}
	return CTMON_OK;
}
