/* cert_facts.c - see cert_facts.h.  OpenSSL parses the DER; the plugin
 * never calls OpenSSL's global init or cleanup (the host owns those). */
#include "cert_facts.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static X509 *parse_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;

	if (!der || len == 0 || len > 1024 * 1024)
		return NULL;
	return d2i_X509(NULL, &p, (long)len);
}

/* Names as people write them, not OpenSSL's object names
 * ("rsaEncryption"). */
static const char *key_type_name(int id)
{
	switch (id) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_DSA:
		return "DSA";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	case EVP_PKEY_ED448:
		return "Ed448";
	default:
		return "other";
	}
}

int cert_key_from_der(const uint8_t *der, size_t len, struct cert_key *out)
{
	X509 *x = parse_der(der, len);
	EVP_PKEY *pk;
	const char *name;
	int id, rc = -1;

	memset(out, 0, sizeof *out);
	if (!x)
		goto out;
	pk = X509_get0_pubkey(x); /* borrowed from x */
	if (!pk)
		goto out;
	id = EVP_PKEY_get_base_id(pk);
	out->is_rsa = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
	out->bits = EVP_PKEY_get_bits(pk);
	name = key_type_name(id);
	snprintf(out->type, sizeof out->type, "%s", name);
	rc = 0;
out:
	X509_free(x);
	return rc;
}

/* The first entry of `nid` in the name, as UTF-8. */
static int name_entry(const X509_NAME *name, int nid, char *out,
		      size_t outlen)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int i = X509_NAME_get_index_by_NID(name, nid, -1), n;

	if (i < 0)
		return -1;
	e = X509_NAME_get_entry(name, i);
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n < 0)
		return -1;
	/* An embedded NUL would cut the name short: refuse it instead. */
	if (memchr(utf8, '\0', (size_t)n)) {
		OPENSSL_free(utf8);
		return -1;
	}
	snprintf(out, outlen, "%.*s", n, (const char *)utf8);
	OPENSSL_free(utf8);
	return 0;
}

int cert_issuer_org_from_der(const uint8_t *der, size_t len, char *out,
			     size_t outlen)
{
	X509 *x = parse_der(der, len);
	const X509_NAME *issuer;
	int rc = -1;

	if (!x)
		return -1;
	issuer = X509_get_issuer_name(x);
	if (name_entry(issuer, NID_organizationName, out, outlen) == 0 ||
	    name_entry(issuer, NID_commonName, out, outlen) == 0)
		rc = 0;
	X509_free(x);
	return rc;
}

/* Reads one "attr=value" of DN text starting at *pp into attr and value,
 * honouring "quoted" values and backslash escapes; stops at the separator
 * `sep`.  Returns 0, or -1 at the end of the text. */
static int next_rdn(const char **pp, char sep, char *attr, size_t alen,
		    char *value, size_t vlen)
{
	const char *p = *pp;
	size_t a = 0, v = 0;
	int quoted = 0;

	while (*p == ' ' || *p == sep)
		p++;
	if (!*p)
		return -1;
	while (*p && *p != '=' && *p != sep) {
		if (a + 1 < alen)
			attr[a++] = *p;
		p++;
	}
	attr[a] = '\0';
	if (*p == '=')
		p++;
	for (; *p && (quoted || *p != sep); p++) {
		char c = *p;

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && p[1])
			c = *++p;
		if (v + 1 < vlen)
			value[v++] = c;
	}
	/* Trailing blanks before the separator are not part of the value. */
	while (v > 0 && value[v - 1] == ' ')
		v--;
	value[v] = '\0';
	*pp = p;
	return 0;
}

int cert_issuer_org_from_text(const char *dn, char *out, size_t outlen)
{
	char attr[32], value[512];
	const char *p = dn;
	char sep = ',';
	int have_cn = 0;

	if (!dn)
		return -1;
	if (*p == '/') /* OpenSSL's one-line form */
		sep = '/';
	out[0] = '\0';
	while (next_rdn(&p, sep, attr, sizeof attr, value, sizeof value) == 0) {
		if (strcasecmp(attr, "O") == 0 && value[0]) {
			snprintf(out, outlen, "%s", value);
			return 0;
		}
		if (strcasecmp(attr, "CN") == 0 && value[0] && !have_cn) {
			snprintf(out, outlen, "%s", value);
			have_cn = 1;
		}
	}
	return have_cn ? 0 : -1;
}
