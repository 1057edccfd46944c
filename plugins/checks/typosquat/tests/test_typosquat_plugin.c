/* test_typosquat_plugin.c - the built typosquat.so in the fake host.
 * Passive mode: a stream of random host names with planted lookalikes
 * goes through on_any; on_cycle must raise exactly one alert per planted
 * lookalike (rule, key, certificate count, issuers, earliest date) and
 * none for the random names, the owner's names or the allowlist.  Also
 * the watch set for query sources and the option errors. */
#include <stdlib.h>

#include "check_test.h"
#include "typo_unicode.h"

#define PROTECT                                                              \
	"domains = [ \"paypal.com\", \"example.com\", \"bbc.co.uk\", "       \
	"\"login.microsoftonline.com\" ]; "                                  \
	"allowlist = [ \"paypal-corp.com\" ];"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random label of 4..14 letters and digits, sometimes an IDN. */
static void random_label(char *out, size_t cap)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = 4 + next() % 11;

	if (next() % 20 == 0) {
		uint32_t cps[16];
		for (size_t i = 0; i < n; i++)
			cps[i] = next() % 3 ? (uint32_t)al[next() % 26]
					    : 0xe0 + (uint32_t)(next() % 30);
		if (typo_label_ascii(cps, n, out, cap) > 0)
			return;
	}
	for (size_t i = 0; i < n && i + 1 < cap; i++)
		out[i] = al[next() % (sizeof al - 1)];
	out[n < cap ? n : cap - 1] = '\0';
}

static void random_name(char *out, size_t cap)
{
	static const char *const suffixes[] = {
		"com", "net", "org", "de", "co.uk", "io", "xyz", "info",
		"github.io", "com.au", "fr", "ru", "nl", "shop"};
	static const char *const subs[] = {"www", "mail", "api", "cdn"};
	char l1[64], l2[64];
	int depth = (int)(next() % 3);

	random_label(l1, sizeof l1);
	random_label(l2, sizeof l2);
	snprintf(out, cap, "%s%s%s%s%s.%s", next() % 10 == 0 ? "*." : "",
		 depth > 1 ? l2 : "", depth > 1 ? "." : "",
		 depth > 0 ? subs[next() % 4] : "", depth > 0 ? "." : "",
		 l1);
	snprintf(out + strlen(out), cap - strlen(out), ".%s",
		 suffixes[next() % (sizeof suffixes / sizeof *suffixes)]);
}

struct planted {
	const char *name;
	const char *domain;  /* the protected domain it imitates */
	const char *key;
	const char *rule;
};

static const struct planted PLANTED[] = {
	{"www.paypa1.com", "paypal.com", "paypa1.com", "exact"},
	{"xn--pypal-4ve.com", "paypal.com", "xn--pypal-4ve.com", "skeleton"},
	{"paypal.fr", "paypal.com", "paypal.fr", "same-label"},
	{"paypall.net", "paypal.com", "paypall.net", "edit-distance"},
	{"micro-soft-online.net", "login.microsoftonline.com",
	 "micro-soft-online.net", "split"},
	{"paypal.com.secure-login.xyz", "paypal.com", "secure-login.xyz",
	 "embed"},
	{"example-rewards.com", "example.com", "example-rewards.com", "combo"},
	{"exmaple.com", "example.com", "exmaple.com", "exact"},
	{"bcc.co.uk", "bbc.co.uk", "bcc.co.uk", "exact"},
	{"login.micr0softonline.com", "login.microsoftonline.com",
	 "micr0softonline.com", "exact"},
	{"*.examp1e.net", "example.com", "examp1e.net", "skeleton"},
};
#define N_PLANTED (sizeof PLANTED / sizeof *PLANTED)

static void feed(struct fh_host *fh, const char *const *names, size_t n,
		 const char *issuer, const char *serial, int64_t nb,
		 int64_t id)
{
	struct ctmon_cert c;

	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	c.crtsh_id = id;
	c.log_index = -1;
	c.issuer_dn = issuer;
	c.names = names;
	c.n_names = n;
	c.serial = serial;
	c.not_before = nb;
	c.not_after = nb + 90 * DAY;
	c.is_precert = -1;
	assert_int_equal(fh_on_any(fh, &c), CTMON_OK);
}

/* 20,000 random certificates, the planted lookalikes among them, plus
 * the owner's and the allowlisted names. */
static void stream(struct fh_host *fh)
{
	static const char *const own[] = {"www.paypal.com", "paypal.com",
					  "shop.example.com",
					  "shop.paypal-corp.com",
					  "sts.microsoftonline.com"};
	char names[3][256], serial[32];
	size_t planted = 0;

	for (int i = 0; i < 20000; i++) {
		const char *v[3];
		size_t n = 1 + (size_t)(next() % 3);
		for (size_t k = 0; k < n; k++) {
			random_name(names[k], sizeof names[k]);
			v[k] = names[k];
		}
		/* Every ~1800 certificates one planted name joins. */
		if (i % 1800 == 900 && planted < N_PLANTED)
			v[n - 1] = PLANTED[planted++].name;
		snprintf(serial, sizeof serial, "%08x", i);
		feed(fh, v, n, i % 2 ? "C=US, O=Let's Encrypt, CN=R3"
				     : "C=GB, O=Sectigo, CN=Sectigo RSA DV",
		     serial, NOW - i, 1000 + i);
	}
	assert_int_equal(planted, N_PLANTED);
	feed(fh, own, 5, "C=US, O=DigiCert, CN=DigiCert TLS", "01", NOW, 1);
}

static const struct ctmon_alert *alert_for(struct fh_host *fh,
					   const struct planted *p)
{
	const struct ctmon_alert *a =
		fh_find_alert(fh, "typosquat_detected", p->domain, p->key);

	if (!a)
		fail_msg("no alert for %s (%s, key %s)", p->name, p->domain,
			 p->key);
	return a;
}

static void passive_stream_flags_every_planted_lookalike(void **unused)
{
	static const char *const pre[] = {"www.paypa1.com", "paypa1.com"};
	struct fh_host *fh = ct_load("typosquat", PROTECT);
	const struct ctmon_alert *a;
	struct json_object *d;

	(void)unused;
	stream(fh);
	/* paypa1.com again: a precertificate and its certificate (same
	 * issuer and serial) are one certificate; another CA's is a second,
	 * older one. */
	feed(fh, pre, 2, "C=US, O=Let's Encrypt, CN=R10", "feed01", NOW, 7);
	feed(fh, pre, 2, "C=US, O=Let's Encrypt, CN=R10", "feed01", NOW, 8);
	feed(fh, pre, 1, "C=BE, O=GlobalSign, CN=GS", "feed02",
	     1600000000, 9);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	for (size_t i = 0; i < N_PLANTED; i++) {
		a = alert_for(fh, &PLANTED[i]);
		assert_int_equal(a->severity, CTMON_SEV_HIGH);
		assert_int_equal(a->issuance_id, 0);
		d = ct_details(a);
		assert_string_equal(ct_str(d, "rule"), PLANTED[i].rule);
		assert_string_equal(ct_str(d, "candidate"), PLANTED[i].key);
		assert_string_equal(ct_str(d, "monitored_domain"),
				    PLANTED[i].domain);
		assert_true(ct_int(d, "score") >= 65);
		json_object_put(d);
	}
	/* Nothing else: no random name, no owner's or allowlisted name. */
	if (fh_alert_count(fh) != N_PLANTED) {
		for (size_t i = 0; i < fh_alert_count(fh); i++)
			fprintf(stderr, "  alert %s: %s\n", fh_alert(fh, i)->key,
				fh_alert(fh, i)->details_json);
		fail_msg("%zu alerts, want %zu", fh_alert_count(fh),
			 (size_t)N_PLANTED);
	}
	a = alert_for(fh, &PLANTED[0]);
	d = ct_details(a);
	assert_string_equal(ct_str(d, "fuzzer"), "homoglyph");
	assert_int_equal(ct_int(d, "certificate_count"), 3);
	assert_int_equal(json_object_array_length(
				 ct_member(d, "issuers", json_type_array)),
			 3);
	assert_string_equal(ct_str(d, "earliest_not_before"),
			    "2020-09-13T12:26:40Z");
	assert_int_equal(json_object_array_length(
				 ct_member(d, "crtsh_ids", json_type_array)),
			 4);
	json_object_put(d);
	a = alert_for(fh, &PLANTED[1]);
	d = ct_details(a);
	ct_member(d, "fuzzer", json_type_null);
	ct_assert_contains(json_object_to_json_string(
				   ct_member(d, "signs", json_type_array)),
			   "mixed-script");
	ct_assert_contains(ct_str(d, "candidate_unicode"), "\xd0\xb0");
	json_object_put(d);
	/* The same lookalikes next cycle: each alert exists already. */
	for (size_t i = 0; i < N_PLANTED; i++) {
		const char *one[] = {PLANTED[i].name};
		feed(fh, one, 1, "C=US, O=X, CN=Y", "abcd", NOW, 5);
	}
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), N_PLANTED);
	assert_int_equal(fh_duplicate_alert_count(fh), N_PLANTED);
	fh_free(fh);
}

static void exact_set_alone_and_fuzzer_choice(void **unused)
{
	static const char *const names[] = {"exaple.com", "exmaple.com",
					    "examp1e.com", "example.de"};
	struct fh_host *fh = ct_load("typosquat",
				     "domains = [ \"example.com\" ]; "
				     "fuzzers = [ \"omission\" ]; "
				     "fuzzy = false;");

	(void)unused;
	feed(fh, names, 4, "C=US, O=X, CN=Y", "01", NOW, 1);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->key, "exaple.com");
	fh_free(fh);
}

/* The monitored domains (the host's domain_get) are protected without
 * the `domains` option. */
static void monitored_domains_are_protected(void **unused)
{
	static const char *const names[] = {"exaple.com", "paypa.com"};
	struct fh_host *fh = ct_load("typosquat",
				     "fuzzers = [ \"omission\" ]; "
				     "fuzzy = false;");

	(void)unused;
	assert_int_equal(fh_add_domain(fh, "Example.COM"), CTMON_OK);
	feed(fh, names, 2, "C=US, O=X, CN=Y", "01", NOW, 1);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	/* paypal.com is neither monitored nor configured. */
	assert_int_equal(fh_alert_count(fh), 1);
	assert_non_null(fh_find_alert(fh, "typosquat_detected", "example.com",
				      "exaple.com"));
	fh_free(fh);
}

/* A certificate naming the owner's domain is the owner's: its other
 * names (example.com's certificates carry example.org) do not alert -
 * unless that trust is turned off. */
static void owner_certificates(void **unused)
{
	static const char *const both[] = {"www.paypal.com", "paypa1.com",
					   "paypal.org"};
	static const char *const allowed[] = {"shop.paypal-corp.com",
					      "paypal.net"};
	struct fh_host *fh = ct_load("typosquat", PROTECT);

	(void)unused;
	feed(fh, both, 3, "C=US, O=X, CN=Y", "01", NOW, 1);
	feed(fh, allowed, 2, "C=US, O=X, CN=Y", "02", NOW, 2);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 0);
	fh_free(fh);
	fh = ct_load("typosquat", PROTECT " skip_owner_certs = false;");
	feed(fh, both, 3, "C=US, O=X, CN=Y", "01", NOW, 1);
	feed(fh, allowed, 2, "C=US, O=X, CN=Y", "02", NOW, 2);
	assert_int_equal(fh_on_cycle(fh), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 3);
	assert_non_null(fh_find_alert(fh, "typosquat_detected", "paypal.com",
				      "paypa1.com"));
	assert_non_null(fh_find_alert(fh, "typosquat_detected", "paypal.com",
				      "paypal.org"));
	assert_non_null(fh_find_alert(fh, "typosquat_detected", "paypal.com",
				      "paypal.net"));
	fh_free(fh);
}

static const struct ctmon_watch_entry *watched(struct fh_host *fh,
					       const char *pattern)
{
	for (size_t i = 0; i < fh_watch_count(fh); i++)
		if (strcmp(fh_watch_entry(fh, i)->pattern, pattern) == 0)
			return fh_watch_entry(fh, i);
	return NULL;
}

static void watch_set_for_query_sources(void **unused)
{
	struct fh_host *fh = ct_load("typosquat", PROTECT);
	const struct ctmon_watch_entry *e;

	(void)unused;
	assert_int_equal(fh_watch(fh), CTMON_OK);
	assert_true(fh_watch_count(fh) > 20000);
	e = watched(fh, "paypa1.com");
	assert_non_null(e);
	assert_string_equal(e->domain, "paypal.com");
	assert_string_equal(e->tag, "typosquat:homoglyph");
	e = watched(fh, "micr0softonline.com");
	assert_non_null(e);
	assert_string_equal(e->domain, "login.microsoftonline.com");
	assert_null(watched(fh, "login.micr0softonline.com"));
	assert_non_null(watched(fh, "login.micro.softonline.com"));
	assert_null(watched(fh, "paypal.com"));
	for (size_t i = 0; i < fh_watch_count(fh); i++)
		assert_memory_equal(fh_watch_entry(fh, i)->tag, "typosquat:",
				    10);
	fh_free(fh);

	fh = ct_load("typosquat", PROTECT " keep_subdomain = true;");
	assert_int_equal(fh_watch(fh), CTMON_OK);
	assert_non_null(watched(fh, "login.micr0softonline.com"));
	assert_null(watched(fh, "micr0softonline.com"));
	fh_free(fh);

	fh = ct_load("typosquat", PROTECT " watch_candidates = false;");
	assert_int_equal(fh_watch(fh), CTMON_OK);
	assert_int_equal(fh_watch_count(fh), 0);
	fh_free(fh);
}

static void option_errors(void **unused)
{
	static const char *const cases[][2] = {
		{"domains = [ \"co.uk\" ];", "\"domains\""},
		{"fuzzers = [ \"bogus\" ];", "unknown fuzzer"},
		{"tlds = [ \"x\" ];", "not a valid entry"},
		{"words = [ \"a b\" ];", "not a valid entry"},
		{"words_file = \"/nonexistent/words\";", "cannot open"},
		{"allowlist = [ \"bad name\" ];", "not a host name"},
		{"min_edit_length = 0;", "out of range"},
		{"psl_file = \"/nonexistent/psl\";", "public suffix list"},
	};
	char err[1024];

	(void)unused;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(ct_load_error("typosquat", cases[i][0], err,
					       sizeof err),
				 CTMON_ECONFIG);
		ct_assert_contains(err, cases[i][1]);
		ct_assert_contains(err, "<built-in>:1");
	}
}

static void descriptor(void **unused)
{
	struct fh_host *fh = ct_load("typosquat", NULL);
	const struct ctmon_plugin *p = fh_plugin(fh);
	const struct ctmon_check_ops *ops = p->ops;

	(void)unused;
	assert_int_equal(p->kind, CTMON_KIND_CHECK);
	assert_string_equal(p->name, "typosquat");
	assert_non_null(ops->on_any);
	assert_non_null(ops->watch);
	assert_non_null(ops->on_cycle);
	/* Without protected domains nothing is watched or matched. */
	assert_int_equal(fh_watch(fh), CTMON_OK);
	assert_int_equal(fh_watch_count(fh), 0);
	fh_free(fh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptor),
		cmocka_unit_test(passive_stream_flags_every_planted_lookalike),
		cmocka_unit_test(exact_set_alone_and_fuzzer_choice),
		cmocka_unit_test(monitored_domains_are_protected),
		cmocka_unit_test(owner_certificates),
		cmocka_unit_test(watch_set_for_query_sources),
		cmocka_unit_test(option_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
