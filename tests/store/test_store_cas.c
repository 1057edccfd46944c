/* test_store_cas.c - authorised CAs: add, remove, match by crt.sh id and
 * by issuer DN in its different spellings, auto-baseline, listing. */
#include "store_fixture.h"

/* A real issuer from tests' crt.sh fixtures, and the same DN as OpenSSL's
 * one-line and RFC 2253 forms print it. */
#define THAWTE_CRTSH "C=US, O=\"thawte, Inc.\", CN=thawte SSL CA - G2"
#define THAWTE_ONELINE "/C=US/O=thawte, Inc./CN=thawte SSL CA - G2"
#define THAWTE_RFC2253 "CN=thawte SSL CA - G2,O=thawte\\, Inc.,C=US"
#define LE_CRTSH "C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3"

static int authorized(struct ctm_store *s, const char *domain, int64_t id,
		      const char *dn)
{
	int yes = -1;
	assert_int_equal(ctm_store_ca_is_authorized(s, domain, id, dn, &yes),
			 CTMON_OK);
	return yes;
}

static int64_t count(struct ctm_store *s, const char *domain)
{
	int64_t n = -1;
	assert_int_equal(ctm_store_ca_count(s, domain, &n), CTMON_OK);
	return n;
}

static void test_by_id(void **state)
{
	struct fx *f = *state;

	assert_int_equal(count(f->s, "example.com"), 0);
	assert_int_equal(ctm_store_ca_add(f->s, "example.com", "DigiCert", 1191,
					  "cli", 1),
			 CTMON_OK);
	assert_true(authorized(f->s, "example.com", 1191, "CN=whatever"));
	assert_false(authorized(f->s, "example.com", 1192, "CN=whatever"));
	/* Per-domain rows do not authorise for other domains. */
	assert_false(authorized(f->s, "example.org", 1191, NULL));
	assert_false(authorized(f->s, NULL, 1191, NULL));
	/* An unknown id (0) never matches an id row. */
	assert_false(authorized(f->s, "example.com", 0, "DigiCert"));
	assert_int_equal(count(f->s, "example.com"), 1);
	assert_int_equal(count(f->s, "example.org"), 0);
}

static void test_global_and_duplicates(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ctm_store_ca_add(f->s, NULL, "Let's Encrypt", 16418,
					  "config", 1),
			 CTMON_OK);
	/* The same global CA again: refused as a duplicate, silently. */
	assert_int_equal(
		ctm_store_ca_add(f->s, NULL, "LE again", 16418, "cli", 2),
		CTMON_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM authorized_cas"),
			 1);
	assert_int_equal(
		ctm_store_ca_add(f->s, NULL, THAWTE_CRTSH, 0, "cli", 2),
		CTMON_OK);
	assert_int_equal(
		ctm_store_ca_add(f->s, NULL, THAWTE_ONELINE, 0, "cli", 2),
		CTMON_OK); /* same DN, other spelling */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM authorized_cas"),
			 2);
	assert_true(authorized(f->s, "any.org", 16418, NULL));
	assert_true(authorized(f->s, NULL, 16418, NULL));
	assert_int_equal(count(f->s, "example.com"), 2);
	assert_int_equal(count(f->s, NULL), 2);
	assert_int_equal(ctm_store_ca_add(f->s, NULL, "x", 1, "robot", 1),
			 CTMON_EINVAL);
	assert_int_equal(ctm_store_ca_add(f->s, NULL, "", 1, "cli", 1),
			 CTMON_EINVAL);
}

static void test_by_dn_spellings(void **state)
{
	struct fx *f = *state;

	/* Added with crt.sh's quoting... */
	assert_int_equal(ctm_store_ca_add(f->s, "example.com", THAWTE_CRTSH, 0,
					  "cli", 1),
			 CTMON_OK);
	/* ...matches the unquoted and the reversed, escaped forms. */
	assert_true(authorized(f->s, "example.com", 0, THAWTE_CRTSH));
	assert_true(authorized(f->s, "example.com", 0, THAWTE_ONELINE));
	assert_true(authorized(f->s, "example.com", -1, THAWTE_RFC2253));
	assert_true(authorized(
		f->s, "example.com", 1465,
		"c=US,  o=\"THAWTE, INC.\" , cn=thawte SSL CA - G2"));
	assert_false(authorized(f->s, "example.com", 0,
				"C=US, O=\"thawte, Inc.\", CN=thawte SSL CA"));
	assert_false(authorized(f->s, "example.com", 0, LE_CRTSH));
	assert_false(authorized(f->s, "example.com", 0, NULL));

	/* And the other way round: added unquoted, matched quoted. */
	assert_int_equal(ctm_store_ca_add(f->s, "example.org", THAWTE_ONELINE,
					  0, "cli", 1),
			 CTMON_OK);
	assert_true(authorized(f->s, "example.org", 0, THAWTE_CRTSH));
}

static void test_remove(void **state)
{
	struct fx *f = *state;
	int removed = -1;

	assert_int_equal(ctm_store_ca_add(f->s, "example.com", "DigiCert", 1191,
					  "cli", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_ca_add(f->s, "example.org", "DigiCert", 1191,
					  "cli", 1),
			 CTMON_OK);
	assert_int_equal(
		ctm_store_ca_add(f->s, NULL, "Sectigo", 105493, "cli", 1),
		CTMON_OK);
	assert_int_equal(ctm_store_ca_add(f->s, "example.com", THAWTE_CRTSH, 0,
					  "cli", 1),
			 CTMON_OK);

	/* By id, within one domain. */
	assert_int_equal(
		ctm_store_ca_remove(f->s, "example.com", "1191", &removed),
		CTMON_OK);
	assert_int_equal(removed, 1);
	assert_false(authorized(f->s, "example.com", 1191, NULL));
	assert_true(authorized(f->s, "example.org", 1191, NULL));
	/* By exact name. */
	assert_int_equal(ctm_store_ca_remove(f->s, "example.com", THAWTE_CRTSH,
					     &removed),
			 CTMON_OK);
	assert_int_equal(removed, 1);
	assert_false(authorized(f->s, "example.com", 0, THAWTE_ONELINE));
	/* Nothing matches: zero removed, not an error. */
	assert_int_equal(
		ctm_store_ca_remove(f->s, "example.com", "nope", &removed),
		CTMON_OK);
	assert_int_equal(removed, 0);
	/* Domain NULL: any domain, including global rows. */
	assert_int_equal(ctm_store_ca_remove(f->s, NULL, "DigiCert", &removed),
			 CTMON_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(ctm_store_ca_remove(f->s, NULL, "105493", &removed),
			 CTMON_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM authorized_cas"),
			 0);
}

static void ingest_issuer(struct ctm_store *s, int64_t crtsh, int64_t ca_id,
			  const char *issuer, const char *name)
{
	struct ctm_ingest_result r;
	char serial[16];
	struct spec sp = {.crtsh_id = crtsh,
			  .ca_id = ca_id,
			  .issuer = issuer,
			  .names = {name}};

	snprintf(serial, sizeof serial, "%llx", (unsigned long long)crtsh);
	sp.serial = serial;
	assert_int_equal(fx_ingest(s, &sp, 1, &r), CTMON_OK);
}

static void test_auto_baseline(void **state)
{
	struct fx *f = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int added = -1, b;

	assert_int_equal(ctm_store_domain_ensure(f->s, "example.com", 1, &b),
			 CTMON_OK);
	assert_int_equal(ctm_store_domain_ensure(f->s, "other.org", 1, &b),
			 CTMON_OK);
	ingest_issuer(f->s, 1, 1465, THAWTE_CRTSH, "a.example.com");
	ingest_issuer(f->s, 2, 1465, THAWTE_CRTSH, "b.example.com");
	ingest_issuer(f->s, 3, 16418, LE_CRTSH, "c.example.com");
	/* A log entry without crt.sh id: DN only. */
	ingest_issuer(f->s, 0, 0, "/C=BE/O=GlobalSign nv-sa/CN=GlobalSign CA",
		      "d.example.com");
	ingest_issuer(f->s, 4, -1, "Issuer Not Found", "e.example.com");
	ingest_issuer(f->s, 5, 999, "C=XX, CN=Other CA", "x.other.org");

	assert_int_equal(
		ctm_store_ca_auto_baseline(f->s, "example.com", 10, &added),
		CTMON_OK);
	assert_int_equal(added, 3);
	assert_true(authorized(f->s, "example.com", 1465, NULL));
	assert_true(authorized(f->s, "example.com", 0, THAWTE_RFC2253));
	assert_true(authorized(f->s, "example.com", 16418, NULL));
	assert_true(authorized(f->s, "example.com", 0,
			       "C=BE, O=GlobalSign nv-sa, CN=GlobalSign CA"));
	assert_false(authorized(f->s, "example.com", -1, "Issuer Not Found"));
	assert_false(authorized(f->s, "example.com", 999, NULL));
	assert_false(authorized(f->s, "other.org", 1465, NULL));
	/* Named after the issuer's CN, recorded as 'auto'. */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM authorized_cas "
					"WHERE name = 'thawte SSL CA - G2' AND "
					"source = 'auto' AND ca_id = 1465 AND "
					"domain = 'example.com'"),
			 1);

	/* Again: nothing new.  An id already authorised by hand counts too. */
	assert_int_equal(
		ctm_store_ca_auto_baseline(f->s, "example.com", 11, &added),
		CTMON_OK);
	assert_int_equal(added, 0);
	assert_int_equal(ctm_store_ca_add(f->s, NULL, "Other", 999, "cli", 1),
			 CTMON_OK);
	assert_int_equal(
		ctm_store_ca_auto_baseline(f->s, "other.org", 11, &added),
		CTMON_OK);
	assert_int_equal(added, 0);

	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	ctm_store_ca_print(f->s, fp);
	fclose(fp);
	assert_non_null(strstr(text, "thawte SSL CA - G2"));
	assert_non_null(strstr(text, "16418"));
	assert_non_null(strstr(text, "(all domains)"));
	assert_non_null(strstr(text, "auto"));
	free(text);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_by_id),		 T(test_global_and_duplicates),
		T(test_by_dn_spellings), T(test_remove),
		T(test_auto_baseline),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
