/* test_dn.c - issuer DN canonicalisation (core/dn.c) against real issuer
 * names from the crt.sh fixtures, and the same names as OpenSSL itself
 * prints them (one-line, RFC 2253, and `openssl x509 -issuer` style). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "dn.h"

/* A real issuer: crt.sh's text (as found in the fixtures) and its RDNs. */
struct issuer {
	const char *crtsh;
	const char *rdn[8][2];
};

static const struct issuer issuers[] = {
	{"C=US, O=\"VeriSign, Inc.\", OU=VeriSign Trust Network, OU=Terms of "
	 "use at https://www.verisign.com/rpa (c)10, CN=VeriSign Class 3 "
	 "Secure Server CA - G3",
	 {{"C", "US"},
	  {"O", "VeriSign, Inc."},
	  {"OU", "VeriSign Trust Network"},
	  {"OU", "Terms of use at https://www.verisign.com/rpa (c)10"},
	  {"CN", "VeriSign Class 3 Secure Server CA - G3"}}},
	{"C=US, ST=Illinois, L=Chicago, O=\"Trustwave Holdings, Inc.\", "
	 "CN=\"Trustwave Extended Validation CA, Level 3\", "
	 "emailAddress=ca@trustwave.com",
	 {{"C", "US"},
	  {"ST", "Illinois"},
	  {"L", "Chicago"},
	  {"O", "Trustwave Holdings, Inc."},
	  {"CN", "Trustwave Extended Validation CA, Level 3"},
	  {"emailAddress", "ca@trustwave.com"}}},
	{"C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3",
	 {{"C", "US"},
	  {"O", "Let's Encrypt"},
	  {"CN", "Let's Encrypt Authority X3"}}},
	{"C=US, ST=Arizona, L=Scottsdale, O=\"Starfield Technologies, Inc.\", "
	 "OU=http://certificates.starfieldtech.com/repository, CN=Starfield "
	 "Secure Certification Authority, serialNumber=10688435",
	 {{"C", "US"},
	  {"ST", "Arizona"},
	  {"L", "Scottsdale"},
	  {"O", "Starfield Technologies, Inc."},
	  {"OU", "http://certificates.starfieldtech.com/repository"},
	  {"CN", "Starfield Secure Certification Authority"},
	  {"serialNumber", "10688435"}}},
	{"O=Root CA, OU=http://www.cacert.org, CN=CA Cert Signing Authority, "
	 "emailAddress=support@cacert.org",
	 {{"O", "Root CA"},
	  {"OU", "http://www.cacert.org"},
	  {"CN", "CA Cert Signing Authority"},
	  {"emailAddress", "support@cacert.org"}}},
	{"emailAddress=pki_admin@sungard.com, O=SunGard Availability "
	 "Services, CN=SAS Public CA v1",
	 {{"emailAddress", "pki_admin@sungard.com"},
	  {"O", "SunGard Availability Services"},
	  {"CN", "SAS Public CA v1"}}},
	{"O=VeriSign Trust Network, OU=\"VeriSign, Inc.\", OU=VeriSign "
	 "International Server CA - Class 3, OU=www.verisign.com/CPS "
	 "Incorp.by Ref. LIABILITY LTD.(c)97 VeriSign",
	 {{"O", "VeriSign Trust Network"},
	  {"OU", "VeriSign, Inc."},
	  {"OU", "VeriSign International Server CA - Class 3"},
	  {"OU", "www.verisign.com/CPS Incorp.by Ref. LIABILITY LTD.(c)97 "
		 "VeriSign"}}},
};

#define N_ISSUERS (sizeof issuers / sizeof issuers[0])

/* Every distinct issuer_name of every crt.sh fixture file. */
struct names {
	char **v;
	size_t n;
};

static void names_add(struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return;
	ns->v = realloc(ns->v, (ns->n + 1) * sizeof *ns->v);
	assert_non_null(ns->v);
	ns->v[ns->n] = strdup(s);
	assert_non_null(ns->v[ns->n]);
	ns->n++;
}

static void load_fixture_issuers(struct names *ns)
{
	const char *dir = CTM_FIXTURES_DIR "/crtsh";
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[1024];

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct json_object *arr;
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		arr = json_object_from_file(path);
		assert_non_null(arr);
		if (!json_object_is_type(arr, json_type_array)) {
			json_object_put(arr);
			continue;
		}
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *rec =
				json_object_array_get_idx(arr, i);
			struct json_object *in;
			if (json_object_object_get_ex(rec, "issuer_name",
						      &in) &&
			    json_object_is_type(in, json_type_string))
				names_add(ns, json_object_get_string(in));
		}
		json_object_put(arr);
	}
	closedir(d);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static X509_NAME *build_name(const struct issuer *is)
{
	X509_NAME *n = X509_NAME_new();

	assert_non_null(n);
	for (size_t i = 0; i < 8 && is->rdn[i][0]; i++)
		assert_int_equal(X509_NAME_add_entry_by_txt(
					 n, is->rdn[i][0], MBSTRING_UTF8,
					 (const unsigned char *)is->rdn[i][1],
					 -1, -1, 0),
				 1);
	return n;
}

static char *print_name(X509_NAME *n, unsigned long flags)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *out;
	long len;

	assert_non_null(b);
	assert_true(X509_NAME_print_ex(b, n, 0, flags) >= 0);
	len = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)len);
	BIO_free(b);
	assert_non_null(out);
	return out;
}

static void assert_same_dn(const char *a, const char *b)
{
	char *ca = ctm_dn_canonical(a), *cb = ctm_dn_canonical(b);

	assert_non_null(ca);
	assert_non_null(cb);
	if (strcmp(ca, cb) != 0)
		fprintf(stderr, "  %s\n    -> %s\n  %s\n    -> %s\n", a, ca, b,
			cb);
	assert_string_equal(ca, cb);
	assert_true(ctm_dn_equal(a, b));
	free(ca);
	free(cb);
}

static void test_openssl_spellings_match_crtsh(void **state)
{
	struct names ns = {NULL, 0};

	(void)state;
	load_fixture_issuers(&ns);
	for (size_t i = 0; i < N_ISSUERS; i++) {
		X509_NAME *n = build_name(&issuers[i]);
		char oneline[1024];
		char *rfc2253 = print_name(n, XN_FLAG_RFC2253);
		char *x509_issuer = print_name(n, XN_FLAG_ONELINE);
		int in_fixtures = 0;

		/* The crt.sh spelling is real: it is in the fixtures. */
		for (size_t k = 0; k < ns.n; k++)
			in_fixtures |= strcmp(ns.v[k], issuers[i].crtsh) == 0;
		assert_true(in_fixtures);
		assert_non_null(X509_NAME_oneline(n, oneline, sizeof oneline));
		assert_same_dn(issuers[i].crtsh, oneline);
		assert_same_dn(issuers[i].crtsh, rfc2253);
		assert_same_dn(issuers[i].crtsh, x509_issuer);
		free(rfc2253);
		free(x509_issuer);
		X509_NAME_free(n);
	}
	names_free(&ns);
}

static void test_canonical_text(void **state)
{
	char *c;

	(void)state;
	c = ctm_dn_canonical(issuers[0].crtsh);
	assert_string_equal(c,
			    "C=us,O=verisign, inc.,"
			    "OU=terms of use at https://www.verisign.com/rpa "
			    "(c)10,OU=verisign trust network,"
			    "CN=verisign class 3 secure server ca - g3");
	free(c);
	c = ctm_dn_canonical(
		"  c = US ,o=\"DigiCert,   Inc.\"  ,  cn=DigiCert  SHA2 ");
	assert_string_equal(c, "C=us,O=digicert, inc.,CN=digicert sha2");
	free(c);
	/* Escapes: \, and hex pairs (UTF-8 bytes), an escaped quote. */
	c = ctm_dn_canonical("CN=Caf\\C3\\A9 \\\"Q\\\" CA,O=A\\,B");
	assert_string_equal(c, "O=a,b,CN=caf\xc3\xa9 \"q\" ca");
	free(c);
	/* Aliases and OIDs. */
	c = ctm_dn_canonical("2.5.4.3=x, S=Some State, E=a@b.c");
	assert_string_equal(c, "ST=some state,CN=x,EMAILADDRESS=a@b.c");
	free(c);
	c = ctm_dn_canonical("Issuer Not Found");
	assert_string_equal(c, "issuer not found");
	free(c);
	c = ctm_dn_canonical("");
	assert_string_equal(c, "");
	free(c);
	assert_null(ctm_dn_canonical(NULL));
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(ctm_dn_equal("CN=A, O=B", "O=B,CN=A"));
	assert_false(ctm_dn_equal("CN=A, O=B", "CN=A, O=C"));
	/* A different number of the same RDN is a different DN. */
	assert_false(ctm_dn_equal("OU=x, OU=x, CN=A", "OU=x, CN=A"));
	/* Where a comma splits matters: one O with a comma vs two RDNs. */
	assert_false(ctm_dn_equal("O=\"A, OU=B\"", "O=A, OU=B"));
	assert_false(ctm_dn_equal(NULL, "CN=A"));
	assert_false(ctm_dn_equal("CN=A", NULL));
}

static void test_attr(void **state)
{
	char *v;

	(void)state;
	v = ctm_dn_attr("C=US, O=\"DigiCert, Inc.\", CN=DigiCert  SHA2", "cn");
	assert_string_equal(v, "DigiCert SHA2");
	free(v);
	v = ctm_dn_attr("/C=US/O=DigiCert, Inc./CN=x", "O");
	assert_string_equal(v, "DigiCert, Inc.");
	free(v);
	v = ctm_dn_attr("CN=x,O=DigiCert\\, Inc.,C=US", "O");
	assert_string_equal(v, "DigiCert, Inc.");
	free(v);
	assert_null(ctm_dn_attr("O=x", "CN"));
	assert_null(ctm_dn_attr(NULL, "CN"));
}

static void test_every_fixture_issuer(void **state)
{
	struct names ns = {NULL, 0}, canon = {NULL, 0};

	(void)state;
	load_fixture_issuers(&ns);
	assert_true(ns.n > 40);
	for (size_t i = 0; i < ns.n; i++) {
		char *c = ctm_dn_canonical(ns.v[i]);
		char *again;
		assert_non_null(c);
		/* Canonical text is a fixed point. */
		again = ctm_dn_canonical(c);
		assert_string_equal(again, c);
		if (strstr(ns.v[i], "CN=")) {
			char *cn = ctm_dn_attr(ns.v[i], "CN");
			assert_non_null(cn);
			assert_non_null(strstr(ns.v[i], cn) ? cn : NULL);
			free(cn);
		}
		names_add(&canon, c);
		free(again);
		free(c);
	}
	/* No two different real issuers collapse into one. */
	assert_int_equal(canon.n, ns.n);
	names_free(&canon);
	names_free(&ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_spellings_match_crtsh),
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_every_fixture_issuer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
