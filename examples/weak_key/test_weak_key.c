/* test_weak_key.c - weak_key.so in ctmon's fake host: the plugin is loaded
 * through ctmon's real loader and option validation, fed issuances with
 * real DER certificates made by test_certs.c, and its alerts read back.
 * Usage: test_weak_key PATH/TO/weak_key.so */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctmon/fakehost.h>
#include <ctmon/version.h>

/* The SDK's product version, for builds that need a minimum ctmon. */
#if !CTMON_VERSION_AT_LEAST(0, 1, 0)
#error "weak_key's tests need ctmon 0.1.0 or later"
#endif

#include "test_certs.h"

static const char *so_path;
static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",         \
				__FILE__, __LINE__, #cond);                  \
			failures++;                                          \
		}                                                            \
	} while (0)
#define CHECK_CONTAINS(text, needle)                                         \
	do {                                                                 \
		const char *t_ = (text);                                     \
		if (!t_ || !strstr(t_, (needle))) {                          \
			fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n",      \
				__FILE__, __LINE__, t_ ? t_ : "(null)",      \
				(needle));                                   \
			failures++;                                          \
		}                                                            \
	} while (0)

/* Loads weak_key with `snippet`; NULL (and a failure) if it does not load. */
static struct fh_host *load(const char *snippet)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	if (fh && fh_load(fh, so_path, snippet, err, sizeof err) == CTMON_OK)
		return fh;
	fprintf(stderr, "cannot load %s with \"%s\": %s\n", so_path, snippet,
		err);
	failures++;
	fh_free(fh);
	return NULL;
}

/* An issuance of www.example.com with an optional DER and issuer DN. */
struct iss {
	struct ctmon_cert cert;
	struct ctmon_issuance is;
	const char *names[1];
	int64_t crtsh_id;
};

static void iss_init(struct iss *x, int64_t id, const struct test_cert *tc,
		     const char *issuer_dn)
{
	memset(x, 0, sizeof *x);
	x->names[0] = "www.example.com";
	x->crtsh_id = 5000 + id;
	x->cert.size = sizeof x->cert;
	x->cert.crtsh_id = x->crtsh_id;
	x->cert.log_index = -1;
	x->cert.issuer_dn = issuer_dn;
	x->cert.subject_cn = "www.example.com";
	x->cert.names = x->names;
	x->cert.n_names = 1;
	x->cert.serial = "1092";
	x->cert.not_before = FH_DEFAULT_NOW;
	x->cert.not_after = FH_DEFAULT_NOW + 90 * 86400;
	x->cert.der = tc ? tc->der : NULL;
	x->cert.der_len = tc ? tc->der_len : 0;
	x->is.size = sizeof x->is;
	x->is.id = id;
	x->is.domain = "example.com";
	x->is.cert = &x->cert;
	x->is.crtsh_ids = &x->crtsh_id;
	x->is.n_crtsh_ids = 1;
	x->is.names = x->names;
	x->is.n_names = 1;
}

/* Feeds one issuance (key spec or NULL for no DER) and returns the number
 * of alerts the plugin stored; the fake host is kept in *out if given. */
static size_t run(const char *snippet, const char *key, const char *issuer_o,
		  const char *issuer_dn, struct fh_host **out)
{
	struct fh_host *fh = load(snippet);
	struct test_cert tc = {0};
	struct iss x;
	size_t n = 0;

	if (!fh)
		return (size_t)-1;
	if (key && test_cert_make(&tc, key, "www.example.com", issuer_o,
				  "Test Issuing CA") != 0) {
		fprintf(stderr, "cannot make a %s certificate\n", key);
		failures++;
	}
	iss_init(&x, 1, key ? &tc : NULL, issuer_dn);
	CHECK(fh_on_issuance(fh, &x.is) == CTMON_OK);
	n = fh_alert_count(fh);
	test_cert_free(&tc);
	if (out)
		*out = fh;
	else
		fh_free(fh);
	return n;
}

static void short_rsa_key_alerts(void)
{
	struct fh_host *fh = NULL;
	const struct ctmon_alert *a;

	CHECK(run("", "rsa:1024", "Let's Encrypt", NULL, &fh) == 1);
	a = fh ? fh_find_alert(fh, "weak_key", "example.com", "1") : NULL;
	CHECK(a != NULL);
	if (a) {
		CHECK(a->severity == CTMON_SEV_HIGH);
		CHECK(a->issuance_id == 1);
		CHECK_CONTAINS(a->details_json, "\"key_type\":\"RSA\"");
		CHECK_CONTAINS(a->details_json, "\"key_bits\":1024");
		CHECK_CONTAINS(a->details_json, "\"min_rsa_bits\":2048");
	}
	fh_free(fh);
}

static void threshold_is_configurable(void)
{
	CHECK(run("", "rsa:2048", NULL, NULL, NULL) == 0);
	CHECK(run("min_rsa_bits = 3072;", "rsa:2048", NULL, NULL, NULL) == 1);
	CHECK(run("min_rsa_bits = 1024;", "rsa:1024", NULL, NULL, NULL) == 0);
}

static void non_rsa_and_missing_der_are_not_judged(void)
{
	struct fh_host *fh = NULL;
	struct iss x;
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};

	CHECK(run("", "ec:P-256", NULL, NULL, NULL) == 0);
	/* crt.sh gives no DER: nothing to judge the key by. */
	CHECK(run("", NULL, NULL, "C=US, O=Let's Encrypt, CN=R3", NULL) == 0);
	/* A DER that is not a certificate: a warning, not an error. */
	fh = load("");
	if (!fh)
		return;
	iss_init(&x, 2, NULL, NULL);
	x.cert.der = junk;
	x.cert.der_len = sizeof junk;
	CHECK(fh_on_issuance(fh, &x.is) == CTMON_OK);
	CHECK(fh_alert_count(fh) == 0);
	CHECK(fh_log_contains(fh, "DER does not parse") == 1);
	fh_free(fh);
}

static void issuer_list_from_der(void)
{
	const char *cfg = "issuers = [\"Let's Encrypt\", \"DigiCert Inc\"];";
	struct fh_host *fh = NULL;
	const struct ctmon_alert *a;

	CHECK(run(cfg, "rsa:2048", "Let's Encrypt", NULL, NULL) == 0);
	CHECK(run(cfg, "rsa:2048", "DIGICERT INC", NULL, NULL) == 0);
	/* The DER wins over a source's DN text that claims otherwise. */
	CHECK(run(cfg, "rsa:2048", "Evil CA", "O=Let's Encrypt", &fh) == 1);
	a = fh ? fh_find_alert(fh, "issuer_not_allowed", "example.com", "1")
	       : NULL;
	CHECK(a != NULL);
	if (a) {
		CHECK_CONTAINS(a->details_json,
			       "\"issuer_organization\":\"Evil CA\"");
		CHECK_CONTAINS(a->details_json, "\"allowed_issuers\":"
						"[\"Let's Encrypt\",\"DigiCert "
						"Inc\"]");
	}
	fh_free(fh);
	/* Without O the issuer's CN is what the list is compared with. */
	CHECK(run("issuers = [\"Test Issuing CA\"];", "rsa:2048", NULL, NULL,
		  NULL) == 0);
	/* No list, no issuer check. */
	CHECK(run("", "rsa:2048", "Evil CA", NULL, NULL) == 0);
}

static void issuer_list_from_dn_text(void)
{
	const char *cfg = "issuers = [\"DigiCert, Inc.\"];";
	struct fh_host *fh = NULL;
	const struct ctmon_alert *a;

	CHECK(run(cfg, NULL, NULL, "C=US, O=\"DigiCert, Inc.\", CN=DigiCert "
				   "SHA2", NULL) == 0);
	CHECK(run(cfg, NULL, NULL, "CN=DigiCert SHA2,O=DigiCert\\, Inc.,C=US",
		  NULL) == 0);
	CHECK(run(cfg, NULL, NULL, "/C=US/O=DigiCert, Inc./CN=DigiCert SHA2",
		  NULL) == 0);
	CHECK(run(cfg, NULL, NULL, "Issuer Not Found", NULL) == 0);
	CHECK(run(cfg, NULL, NULL, "C=US, O=DigiCert Inc, CN=DigiCert SHA2",
		  &fh) == 1);
	a = fh ? fh_find_alert(fh, "issuer_not_allowed", "example.com", "1")
	       : NULL;
	CHECK(a != NULL);
	if (a)
		CHECK_CONTAINS(a->details_json,
			       "\"issuer_organization\":\"DigiCert Inc\"");
	fh_free(fh);
}

/* Quotes, backslashes, control characters and invalid UTF-8 from a
 * certificate must come out as valid JSON: the fake host refuses an alert
 * whose details do not parse (fh_on_issuance then fails). */
static void hostile_names_are_escaped(void)
{
	struct fh_host *fh = NULL;
	const struct ctmon_alert *a;

	CHECK(run("issuers = [\"x\"];", "rsa:1024", "Evil \"CA\"\n\\", NULL,
		  &fh) == 2);
	a = fh ? fh_find_alert(fh, "issuer_not_allowed", "example.com", "1")
	       : NULL;
	if (a)
		CHECK_CONTAINS(a->details_json, "Evil \\\"CA\\\"\\u000a\\\\");
	CHECK(a != NULL);
	fh_free(fh);
	fh = NULL;
	CHECK(run("issuers = [\"x\"];", NULL, NULL, "O=Bad\xff\xfe\x01", &fh) ==
	      1);
	a = fh ? fh_find_alert(fh, "issuer_not_allowed", "example.com", "1")
	       : NULL;
	if (a)
		CHECK_CONTAINS(a->details_json, "Bad\\ufffd\\ufffd\\u0001");
	CHECK(a != NULL);
	fh_free(fh);
}

static void one_alert_per_issuance_and_type(void)
{
	struct fh_host *fh = load("issuers = [\"Let's Encrypt\"];");
	struct test_cert tc;
	struct iss x;

	if (!fh)
		return;
	CHECK(test_cert_make(&tc, "rsa:1024", "www.example.com", "Evil CA",
			     "E1") == 0);
	iss_init(&x, 9, &tc, NULL);
	CHECK(fh_on_issuance(fh, &x.is) == CTMON_OK);
	CHECK(fh_on_issuance(fh, &x.is) == CTMON_OK);
	CHECK(fh_alert_count(fh) == 2);
	CHECK(fh_find_alert(fh, "weak_key", "example.com", "9") != NULL);
	CHECK(fh_find_alert(fh, "issuer_not_allowed", "example.com", "9") !=
	      NULL);
	CHECK(fh_duplicate_alert_count(fh) == 2);
	test_cert_free(&tc);
	fh_free(fh);
}

static void config_errors_name_the_place(void)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	CHECK(fh_load(fh, so_path, "\nmin_rsa_bits = 100;", err, sizeof err) ==
	      CTMON_ECONFIG);
	CHECK_CONTAINS(err, "<built-in>:2");
	CHECK_CONTAINS(err, "out of range");
	fh_free(fh);
	fh = fh_new();
	CHECK(fh_load(fh, so_path, "min_rsa_bit = 1024;", err, sizeof err) ==
	      CTMON_ECONFIG);
	CHECK_CONTAINS(err, "did you mean \"min_rsa_bits\"");
	fh_free(fh);
	fh = fh_new();
	CHECK(fh_load(fh, so_path, "issuers = \"Let's Encrypt\";", err,
		      sizeof err) == CTMON_ECONFIG);
	CHECK_CONTAINS(err, "issuers");
	fh_free(fh);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"short_rsa_key_alerts", short_rsa_key_alerts},
		{"threshold_is_configurable", threshold_is_configurable},
		{"non_rsa_and_missing_der_are_not_judged",
		 non_rsa_and_missing_der_are_not_judged},
		{"issuer_list_from_der", issuer_list_from_der},
		{"issuer_list_from_dn_text", issuer_list_from_dn_text},
		{"hostile_names_are_escaped", hostile_names_are_escaped},
		{"one_alert_per_issuance_and_type",
		 one_alert_per_issuance_and_type},
		{"config_errors_name_the_place", config_errors_name_the_place},
	};
	size_t n = sizeof tests / sizeof tests[0], passed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/weak_key.so\n", argv[0]);
		return 2;
	}
	so_path = argv[1];
	printf("weak_key tests, ctmon SDK %s, plugin ABI %d.%d\n",
	       CTMON_VERSION_STRING, CTMON_PLUGIN_ABI_MAJOR,
	       CTMON_PLUGIN_ABI_MINOR);
	for (size_t i = 0; i < n; i++) {
		int before = failures;

		tests[i].fn();
		printf("%s %s\n", failures == before ? "ok  " : "FAIL",
		       tests[i].name);
		passed += failures == before;
	}
	printf("%zu passed, %zu failed\n", passed, n - passed);
	return passed == n ? 0 : 1;
}
