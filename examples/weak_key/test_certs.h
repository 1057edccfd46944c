/* test_certs.h - real certificates for the tests, made with OpenSSL at run
 * time: no key material is checked in. */
#ifndef WEAK_KEY_TEST_CERTS_H
#define WEAK_KEY_TEST_CERTS_H

#include <stddef.h>
#include <stdint.h>

/* A certificate's DER, malloc'd. */
struct test_cert {
	uint8_t *der;
	size_t der_len;
};

/* Makes a certificate for `cn` with a `key` ("rsa:1024", "ec:P-256") whose
 * issuer is O=issuer_o (omitted when NULL), CN=issuer_cn.  0 or -1. */
int test_cert_make(struct test_cert *c, const char *key, const char *cn,
		   const char *issuer_o, const char *issuer_cn);
void test_cert_free(struct test_cert *c);

#endif
