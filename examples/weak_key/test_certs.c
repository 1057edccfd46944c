/* test_certs.c - see test_certs.h. */
#include "test_certs.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static EVP_PKEY *make_key(const char *spec)
{
	if (strncmp(spec, "rsa:", 4) == 0)
		return EVP_RSA_gen((unsigned)strtoul(spec + 4, NULL, 10));
	if (strncmp(spec, "ec:", 3) == 0)
		return EVP_EC_gen(spec + 3);
	return NULL;
}

static int add_entry(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
					  (const unsigned char *)value, -1, -1,
					  0) == 1
		       ? 0
		       : -1;
}

int test_cert_make(struct test_cert *c, const char *key, const char *cn,
		   const char *issuer_o, const char *issuer_cn)
{
	EVP_PKEY *pk = make_key(key);
	X509 *x = X509_new();
	X509_NAME *subject = X509_NAME_new(), *issuer = X509_NAME_new();
	unsigned char *der = NULL;
	int len, rc = -1;

	memset(c, 0, sizeof *c);
	if (!pk || !x || !subject || !issuer)
		goto out;
	if (add_entry(subject, "CN", cn) ||
	    (issuer_o && add_entry(issuer, "O", issuer_o)) ||
	    add_entry(issuer, "CN", issuer_cn))
		goto out;
	/* Signed with its own key: the plugin never verifies signatures, it
	 * reads what the certificate says. */
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 90) ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer) != 1 ||
	    X509_set_pubkey(x, pk) != 1 || X509_sign(x, pk, EVP_sha256()) <= 0)
		goto out;
	len = i2d_X509(x, &der);
	if (len <= 0)
		goto out;
	c->der = malloc((size_t)len);
	if (!c->der)
		goto out;
	memcpy(c->der, der, (size_t)len);
	c->der_len = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(issuer);
	X509_NAME_free(subject);
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

void test_cert_free(struct test_cert *c)
{
	free(c->der);
	memset(c, 0, sizeof *c);
}
