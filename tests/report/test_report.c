/* test_report.c - the JSON report over a store filled through the store's
 * own API: counts, 24-hour and validity boundaries, label-boundary
 * matching, ordering, limits, key order, the sources' status and the
 * atomic file write. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "report.h"
#include "store.h"
#include "util.h"

#define NOW INT64_C(1795608000) /* 2026-11-25T12:00:00Z */
#define DAY INT64_C(86400)

static const char LE[] = "C=US, O=Let's Encrypt, CN=R3";
static const char DIGICERT[] = "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA "
			       "SHA256 2020 CA1";
static const char EVIL[] = "C=XX, O=Evil CA";

/* ---- building the store ------------------------------------------------- */

struct cert_spec {
	int64_t crtsh_id;
	const char *issuer;
	int64_t ca_id;
	const char *serial;
	int64_t not_before;
	int64_t not_after;
	int is_precert;
	int64_t seen;            /* first_seen */
	const char *names[4];    /* normalised, NULL-terminated */
};

static struct ctm_ingest_result ingest(struct ctm_store *s,
				       const struct cert_spec *c)
{
	struct ctm_ingest_result res;
	struct ctm_cert_in in;
	struct ctmon_cert src;
	char **names = NULL;
	size_t n = 0;

	while (n < 4 && c->names[n]) {
		assert_int_equal(ctm_strv_push(&names, c->names[n]), 0);
		n++;
	}
	memset(&src, 0, sizeof src);
	src.size = sizeof src;
	src.crtsh_id = c->crtsh_id;
	src.log_index = -1;
	src.issuer_dn = c->issuer;
	src.issuer_ca_id = c->ca_id;
	src.subject_cn = c->names[0];
	src.names = c->names;
	src.n_names = n;
	src.serial = c->serial;
	src.not_before = c->not_before;
	src.not_after = c->not_after;
	src.is_precert = c->is_precert;
	memset(&in, 0, sizeof in);
	in.src = &src;
	in.source_id = "test";
	in.names = names;
	in.n_names = n;
	memset(&res, 0, sizeof res);
	assert_int_equal(ctm_store_ingest(s, &in, c->seen, &res), CTMON_OK);
	ctm_strv_free(names);
	return res;
}

static int64_t ingest_new(struct ctm_store *s, const struct cert_spec *c)
{
	struct ctm_ingest_result res = ingest(s, c);

	assert_int_equal(res.issuance_is_new, 1);
	return res.issuance_id;
}

static void touch(struct ctm_store *s, const char *domain, const char *name,
		  int64_t issuance_id, int64_t when)
{
	int is_new = 0;

	assert_int_equal(ctm_store_subdomain_touch(s, domain, name,
						   issuance_id, when, &is_new),
			 CTMON_OK);
	assert_int_equal(is_new, 1);
}

static void set_dns(struct ctm_store *s, const char *domain, const char *name,
		    const char *status, const char *addresses,
		    const char *cname, int64_t at)
{
	assert_int_equal(ctm_store_subdomain_set_dns(s, domain, name, status,
						     addresses, cname, at),
			 CTMON_OK);
}

static int64_t alert(struct ctm_store *s, const char *type,
		     enum ctmon_severity sev, const char *domain,
		     const char *key, const char *details,
		     int64_t issuance_id, int baseline, int64_t created)
{
	struct ctm_alert_in in;
	int64_t id = 0;
	int inserted = 0;

	memset(&in, 0, sizeof in);
	in.type = type;
	in.severity = sev;
	in.domain = domain;
	in.key = key;
	in.details_json = details;
	in.issuance_id = issuance_id;
	in.baseline = baseline;
	in.check_id = type;
	assert_int_equal(ctm_store_alert_insert(s, &in, created, &id,
						&inserted),
			 CTMON_OK);
	assert_int_equal(inserted, 1);
	assert_true(id > 0);
	return id;
}

static void ack(struct ctm_store *s, int64_t id)
{
	int changed = 0;

	assert_int_equal(ctm_store_alert_ack(s, id, NOW, &changed), CTMON_OK);
	assert_int_equal(changed, 1);
}

static void ensure_domain(struct ctm_store *s, const char *domain)
{
	int baselined = -1;

	assert_int_equal(ctm_store_domain_ensure(s, domain, NOW - 30 * DAY,
						 &baselined),
			 CTMON_OK);
	assert_int_equal(baselined, 0);
}

/* ---- the fixture: a store in a temp directory ---------------------------- */

struct fx {
	char dir[64];
	char db[128];
	struct ctm_store *s;
	int64_t iss[10];
};

static int fx_setup(void **state)
{
	struct ctm_error err;
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/ctm-test-report-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof f->db, "%s/ct.db", f->dir);
	if (ctm_store_open(f->db, &f->s, &err) != CTMON_OK) {
		fprintf(stderr, "%s\n", err.text);
		return -1;
	}
	*state = f;
	return 0;
}

static void remove_in(const char *dir, const char *name)
{
	char path[192];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	ctm_store_close(f->s);
	remove_in(f->dir, "ct.db");
	remove_in(f->dir, "ct.db-wal");
	remove_in(f->dir, "ct.db-shm");
	remove_in(f->dir, "report.json");
	remove_in(f->dir, "report.json.tmp");
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Two monitored domains, example.com and a_b.net ('_' is what LIKE would
 * get wrong), with decoys just outside them. */
static void fill(struct fx *f)
{
	struct ctm_store *s = f->s;
	const struct cert_spec pre = {5001, LE, 1001, "0a01", NOW - 10 * DAY,
				      NOW + 80 * DAY, 1, NOW - 2 * DAY,
				      {"example.com", "www.example.com"}};
	struct cert_spec final = pre;
	struct ctm_ingest_result res;
	int64_t a;

	assert_int_equal(ctm_store_begin(s), CTMON_OK);
	ensure_domain(s, "example.com");
	ensure_domain(s, "a_b.net");
	assert_int_equal(ctm_store_domain_set_baselined(s, "example.com",
							NOW - 7 * DAY),
			 CTMON_OK);

	/* I1: a precertificate and its certificate, one issuance. */
	f->iss[1] = ingest_new(s, &pre);
	final.crtsh_id = 5002;
	final.is_precert = 0;
	final.seen = NOW - DAY;
	res = ingest(s, &final);
	assert_int_equal(res.cert_is_new, 1);
	assert_int_equal(res.issuance_is_new, 0);
	assert_int_equal(res.issuance_id, f->iss[1]);
	/* I2: a wildcard, seen an hour ago. */
	f->iss[2] = ingest_new(
		s, &(struct cert_spec){5003, LE, 1001, "0a02", NOW - 3600,
				       NOW + 89 * DAY, 0, NOW - 3600,
				       {"*.example.com"}});
	/* I3: expired; first seen one second before the 24-hour mark. */
	f->iss[3] = ingest_new(
		s, &(struct cert_spec){5004, DIGICERT, 2002, "0b01",
				       NOW - 400 * DAY, NOW - 10 * DAY, 0,
				       NOW - DAY - 1, {"old.example.com"}});
	/* I4: not valid yet; first seen exactly at the 24-hour mark. */
	f->iss[4] = ingest_new(
		s, &(struct cert_spec){5005, DIGICERT, 2002, "0b02",
				       NOW + 3600, NOW + 30 * DAY, 0, NOW - DAY,
				       {"api.example.com"}});
	/* I5: not_after == now is expired, not valid; 100 s of validity. */
	f->iss[5] = ingest_new(
		s, &(struct cert_spec){5006, EVIL, 3003, "0c01", NOW - 100, NOW,
				       0, NOW - 5 * DAY, {"edge.example.com"}});
	/* I6: notexample.com is not under example.com, wildcard or not. */
	f->iss[6] = ingest_new(
		s, &(struct cert_spec){5007, LE, 1001, "0a03", NOW - DAY,
				       NOW + 60 * DAY, 0, NOW - 60,
				       {"*.notexample.com", "notexample.com"}});
	/* I7: under a_b.net. */
	f->iss[7] = ingest_new(
		s, &(struct cert_spec){5008, LE, 1001, "0a04", NOW - DAY,
				       NOW + 60 * DAY, 0, NOW - 1000,
				       {"a_b.net", "www.a_b.net"}});
	/* I8: aXb.net matches LIKE '%a_b.net' but is another domain. */
	f->iss[8] = ingest_new(
		s, &(struct cert_spec){5009, EVIL, 3003, "0c02", NOW - DAY,
				       NOW + 60 * DAY, 0, NOW - 50,
				       {"www.axb.net", "x.www-a_b.net"}});
	/* I9: under both domains. */
	f->iss[9] = ingest_new(
		s, &(struct cert_spec){5010, LE, 1001, "0a05", NOW - 20 * DAY,
				       NOW + 70 * DAY, 0, NOW - 10 * DAY,
				       {"shop.a_b.net", "shop.example.com"}});

	touch(s, "example.com", "www.example.com", f->iss[1], NOW - 2 * DAY);
	touch(s, "example.com", "old.example.com", f->iss[3], NOW - DAY - 1);
	touch(s, "example.com", "api.example.com", f->iss[4], NOW - DAY);
	touch(s, "example.com", "edge.example.com", f->iss[5], NOW - 5 * DAY);
	touch(s, "example.com", "shop.example.com", f->iss[9], NOW - 10 * DAY);
	touch(s, "a_b.net", "www.a_b.net", f->iss[7], NOW - 1000);
	touch(s, "a_b.net", "shop.a_b.net", f->iss[9], NOW - 10 * DAY);
	/* The store keeps addresses space-separated; a JSON array text is
	 * read too. */
	set_dns(s, "example.com", "www.example.com", "resolved",
		"[\"93.184.216.34\", \"2606:2800:220:1::1\"]", NULL,
		NOW - 600);
	set_dns(s, "example.com", "api.example.com", "resolved",
		"10.0.0.1 10.0.0.2", "api.cdn.example.net", NOW - 600);
	set_dns(s, "example.com", "old.example.com", "nxdomain", NULL, NULL,
		NOW - 600);

	alert(s, "unauthorized_ca", CTMON_SEV_CRITICAL, "example.com",
	      "iss5", "{\"reason\":\"not authorised\",\"n\":[1,2]}",
	      f->iss[5], 0, NOW - 100);
	alert(s, "new_subdomain", CTMON_SEV_INFO, "example.com",
	      "api.example.com", "{}", f->iss[4], 1, NOW - DAY);
	a = alert(s, "new_subdomain", CTMON_SEV_INFO, "example.com",
		  "old.example.com", "{}", f->iss[3], 1, NOW - DAY - 1);
	ack(s, a);
	alert(s, "wildcard", CTMON_SEV_MEDIUM, "example.com", "iss2", "{}",
	      f->iss[2], 0, NOW - 3600);
	a = alert(s, "certificate_expiring", CTMON_SEV_HIGH, "example.com",
		  "iss1:30", "{\"days\":30}", f->iss[1], 0, NOW - 10);
	ack(s, a);
	alert(s, "new_subdomain", CTMON_SEV_LOW, "a_b.net", "www.a_b.net",
	      "{}", f->iss[7], 0, NOW - 1000);
	assert_int_equal(ctm_store_commit(s), CTMON_OK);
}

/* ---- reading the report -------------------------------------------------- */

/* Follows "a/0/b"; *found says whether the last key exists (its value may
 * be a JSON null, i.e. NULL). */
static struct json_object *lookup(struct json_object *o, const char *path,
				  int *found)
{
	char buf[256], *save = NULL, *tok;

	*found = 0;
	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		struct json_object *next = NULL;
		int64_t i;

		if (!o)
			return NULL;
		if (json_object_is_type(o, json_type_array)) {
			if (ctm_parse_int64(tok, &i) != 0 || i < 0 ||
			    (size_t)i >= json_object_array_length(o))
				return NULL;
			next = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, tok, &next)) {
			return NULL;
		}
		o = next;
	}
	*found = 1;
	return o;
}

static struct json_object *at(struct json_object *root, const char *path)
{
	int found;
	struct json_object *o = lookup(root, path, &found);

	if (!found || !o)
		fail_msg("report has no value at %s", path);
	return o;
}

static int64_t num(struct json_object *root, const char *path)
{
	struct json_object *o = at(root, path);

	if (!json_object_is_type(o, json_type_int))
		fail_msg("%s is not an integer", path);
	return json_object_get_int64(o);
}

static const char *str(struct json_object *root, const char *path)
{
	struct json_object *o = at(root, path);

	if (!json_object_is_type(o, json_type_string))
		fail_msg("%s is not a string", path);
	return json_object_get_string(o);
}

static int boolean(struct json_object *root, const char *path)
{
	struct json_object *o = at(root, path);

	if (!json_object_is_type(o, json_type_boolean))
		fail_msg("%s is not a boolean", path);
	return json_object_get_boolean(o);
}

static size_t len(struct json_object *root, const char *path)
{
	struct json_object *o = at(root, path);

	if (!json_object_is_type(o, json_type_array))
		fail_msg("%s is not an array", path);
	return json_object_array_length(o);
}

static void assert_null_at(struct json_object *root, const char *path)
{
	int found;
	struct json_object *o = lookup(root, path, &found);

	if (!found || o)
		fail_msg("%s is not null", path);
}

static void assert_keys(struct json_object *o, const char *const *keys,
			size_t n)
{
	size_t i = 0;

	json_object_object_foreach(o, k, v)
	{
		(void)v;
		assert_true(i < n);
		assert_string_equal(k, keys[i]);
		i++;
	}
	assert_int_equal(i, n);
}

static struct json_object *build(struct ctm_store *s, char *const *domains,
				 size_t n)
{
	struct ctm_error err;
	struct json_object *root;
	char *text = NULL;

	err.text[0] = '\0';
	if (ctm_report_build(s, domains, n, NOW, &text, &err) != CTMON_OK)
		fail_msg("report: %s", err.text);
	assert_non_null(text);
	root = json_tokener_parse(text);
	free(text);
	assert_non_null(root);
	return root;
}

static char *domains2[] = {"example.com", "a_b.net", NULL};

/* ---- tests --------------------------------------------------------------- */

static void test_shape_and_key_order(void **state)
{
	static const char *const top[] = {"generated_at", "generator",
					  "domains", "sources", "totals"};
	static const char *const dom[] = {
		"domain",       "baselined_at",     "certificates",
		"subdomains_summary", "alerts_summary", "top_issuers",
		"recent_alerts", "subdomains",      "certificates_list"};
	static const char *const certs[] = {"total", "records", "last_24h",
					    "valid", "expired", "wildcard"};
	static const char *const subs[] = {"total", "last_24h", "dns"};
	static const char *const alerts[] = {"open", "open_by_severity",
					     "by_type", "last_24h"};
	static const char *const sev[] = {"critical", "high", "medium", "low",
					  "info"};
	static const char *const issuer[] = {"issuer", "ca_id",
					     "certificates"};
	static const char *const ra[] = {"id",       "type",     "severity",
					 "created_at", "baseline",
					 "acknowledged", "key", "details"};
	static const char *const sd[] = {"name",       "first_seen",
					 "last_seen",  "dns_status",
					 "addresses",  "cname",
					 "resolved_at"};
	static const char *const cl[] = {"id",         "crtsh_ids",
					 "issuer",     "ca_id",
					 "serial",     "names",
					 "not_before", "not_after",
					 "first_seen", "wildcard",
					 "validity_hours"};
	static const char *const tot[] = {"domains", "certificates",
					  "subdomains", "open_alerts"};
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains2, 2);
	assert_keys(r, top, 5);
	assert_string_equal(str(r, "generated_at"), "2026-11-25T12:00:00Z");
	assert_true(strncmp(str(r, "generator"), "ctmon ", 6) == 0);
	assert_int_equal(len(r, "domains"), 2);
	assert_string_equal(str(r, "domains/0/domain"), "example.com");
	assert_string_equal(str(r, "domains/1/domain"), "a_b.net");
	assert_keys(at(r, "domains/0"), dom, 9);
	assert_keys(at(r, "domains/0/certificates"), certs, 6);
	assert_keys(at(r, "domains/0/subdomains_summary"), subs, 3);
	assert_keys(at(r, "domains/0/alerts_summary"), alerts, 4);
	assert_keys(at(r, "domains/0/alerts_summary/open_by_severity"), sev,
		    5);
	assert_keys(at(r, "domains/0/top_issuers/0"), issuer, 3);
	assert_keys(at(r, "domains/0/recent_alerts/0"), ra, 8);
	assert_keys(at(r, "domains/0/subdomains/0"), sd, 7);
	assert_keys(at(r, "domains/0/certificates_list/0"), cl, 11);
	assert_keys(at(r, "totals"), tot, 4);
	json_object_put(r);
}

static void test_certificate_counts(void **state)
{
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains2, 2);
	/* I1 (pair), I2, I3, I4, I5, I9; not I6 (notexample.com). */
	assert_int_equal(num(r, "domains/0/certificates/total"), 6);
	/* The pair is two records. */
	assert_int_equal(num(r, "domains/0/certificates/records"), 7);
	/* I2 (an hour ago) and I4 (exactly 24 h ago); not I3 (24 h + 1 s)
	 * nor I6 (a minute ago, but not under example.com). */
	assert_int_equal(num(r, "domains/0/certificates/last_24h"), 2);
	/* I1, I2, I9; I4 is not valid yet, I5 ends exactly now. */
	assert_int_equal(num(r, "domains/0/certificates/valid"), 3);
	assert_int_equal(num(r, "domains/0/certificates/expired"), 2);
	/* *.example.com; *.notexample.com is not under example.com. */
	assert_int_equal(num(r, "domains/0/certificates/wildcard"), 1);

	/* a_b.net: I7 and I9, not I8 (www.axb.net, x.www-a_b.net). */
	assert_int_equal(num(r, "domains/1/certificates/total"), 2);
	assert_int_equal(num(r, "domains/1/certificates/records"), 2);
	assert_int_equal(num(r, "domains/1/certificates/last_24h"), 1);
	assert_int_equal(num(r, "domains/1/certificates/valid"), 2);
	assert_int_equal(num(r, "domains/1/certificates/expired"), 0);
	assert_int_equal(num(r, "domains/1/certificates/wildcard"), 0);

	/* Totals count I9 once although it is under both domains. */
	assert_int_equal(num(r, "totals/domains"), 2);
	assert_int_equal(num(r, "totals/certificates"), 7);
	json_object_put(r);
}

static void test_top_issuers(void **state)
{
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains2, 2);
	assert_int_equal(len(r, "domains/0/top_issuers"), 3);
	assert_string_equal(str(r, "domains/0/top_issuers/0/issuer"), LE);
	assert_int_equal(num(r, "domains/0/top_issuers/0/ca_id"), 1001);
	assert_int_equal(num(r, "domains/0/top_issuers/0/certificates"), 3);
	assert_string_equal(str(r, "domains/0/top_issuers/1/issuer"),
			    DIGICERT);
	assert_int_equal(num(r, "domains/0/top_issuers/1/ca_id"), 2002);
	assert_int_equal(num(r, "domains/0/top_issuers/1/certificates"), 2);
	assert_string_equal(str(r, "domains/0/top_issuers/2/issuer"), EVIL);
	assert_int_equal(num(r, "domains/0/top_issuers/2/certificates"), 1);
	/* EVIL's I8 is not under a_b.net. */
	assert_int_equal(len(r, "domains/1/top_issuers"), 1);
	assert_int_equal(num(r, "domains/1/top_issuers/0/certificates"), 2);
	json_object_put(r);
}

static void test_subdomains(void **state)
{
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains2, 2);
	assert_int_equal(num(r, "domains/0/subdomains_summary/total"), 5);
	/* api (exactly 24 h ago) counts, old (24 h + 1 s) does not. */
	assert_int_equal(num(r, "domains/0/subdomains_summary/last_24h"), 1);
	assert_keys(at(r, "domains/0/subdomains_summary/dns"),
		    (const char *const[]){"nxdomain", "resolved",
					  "unresolved"},
		    3);
	assert_int_equal(num(r, "domains/0/subdomains_summary/dns/nxdomain"),
			 1);
	assert_int_equal(num(r, "domains/0/subdomains_summary/dns/resolved"),
			 2);
	assert_int_equal(
		num(r, "domains/0/subdomains_summary/dns/unresolved"), 2);

	/* Sorted by name. */
	assert_int_equal(len(r, "domains/0/subdomains"), 5);
	assert_string_equal(str(r, "domains/0/subdomains/0/name"),
			    "api.example.com");
	assert_string_equal(str(r, "domains/0/subdomains/1/name"),
			    "edge.example.com");
	assert_string_equal(str(r, "domains/0/subdomains/2/name"),
			    "old.example.com");
	assert_string_equal(str(r, "domains/0/subdomains/3/name"),
			    "shop.example.com");
	assert_string_equal(str(r, "domains/0/subdomains/4/name"),
			    "www.example.com");
	assert_string_equal(str(r, "domains/0/subdomains/0/first_seen"),
			    "2026-11-24T12:00:00Z");
	assert_string_equal(str(r, "domains/0/subdomains/0/dns_status"),
			    "resolved");
	assert_int_equal(len(r, "domains/0/subdomains/0/addresses"), 2);
	assert_string_equal(str(r, "domains/0/subdomains/0/addresses/1"),
			    "10.0.0.2");
	assert_string_equal(str(r, "domains/0/subdomains/0/cname/0"),
			    "api.cdn.example.net");
	assert_string_equal(str(r, "domains/0/subdomains/0/resolved_at"),
			    "2026-11-25T11:50:00Z");
	/* Never resolved: nulls, not empty strings. */
	assert_null_at(r, "domains/0/subdomains/1/dns_status");
	assert_null_at(r, "domains/0/subdomains/1/addresses");
	assert_null_at(r, "domains/0/subdomains/1/cname");
	assert_null_at(r, "domains/0/subdomains/1/resolved_at");
	assert_string_equal(str(r, "domains/0/subdomains/2/dns_status"),
			    "nxdomain");
	assert_null_at(r, "domains/0/subdomains/2/addresses");
	assert_null_at(r, "domains/0/subdomains/4/cname");
	assert_int_equal(len(r, "domains/0/subdomains/4/addresses"), 2);
	assert_string_equal(str(r, "domains/0/subdomains/4/addresses/1"),
			    "2606:2800:220:1::1");

	assert_int_equal(num(r, "domains/1/subdomains_summary/total"), 2);
	assert_int_equal(
		num(r, "domains/1/subdomains_summary/dns/unresolved"), 2);
	assert_string_equal(str(r, "domains/1/subdomains/0/name"),
			    "shop.a_b.net");
	assert_int_equal(num(r, "totals/subdomains"), 7);
	json_object_put(r);
}

static void test_alerts(void **state)
{
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains2, 2);
	/* Acknowledged: old.example.com and the expiry alert. */
	assert_int_equal(num(r, "domains/0/alerts_summary/open"), 3);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/open_by_severity/critical"),
		1);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/open_by_severity/high"), 0);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/open_by_severity/medium"), 1);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/open_by_severity/low"), 0);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/open_by_severity/info"), 1);
	assert_keys(at(r, "domains/0/alerts_summary/by_type"),
		    (const char *const[]){"certificate_expiring",
					  "new_subdomain", "unauthorized_ca",
					  "wildcard"},
		    4);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/by_type/new_subdomain"), 2);
	assert_int_equal(
		num(r, "domains/0/alerts_summary/by_type/certificate_expiring"),
		1);
	/* created exactly 24 h ago counts; 24 h + 1 s does not. */
	assert_int_equal(num(r, "domains/0/alerts_summary/last_24h"), 4);

	/* Newest first. */
	assert_int_equal(len(r, "domains/0/recent_alerts"), 5);
	assert_string_equal(str(r, "domains/0/recent_alerts/0/type"),
			    "certificate_expiring");
	assert_true(boolean(r, "domains/0/recent_alerts/0/acknowledged"));
	assert_string_equal(str(r, "domains/0/recent_alerts/1/type"),
			    "unauthorized_ca");
	assert_string_equal(str(r, "domains/0/recent_alerts/1/severity"),
			    "critical");
	assert_string_equal(str(r, "domains/0/recent_alerts/1/created_at"),
			    "2026-11-25T11:58:20Z");
	assert_false(boolean(r, "domains/0/recent_alerts/1/baseline"));
	assert_false(boolean(r, "domains/0/recent_alerts/1/acknowledged"));
	assert_string_equal(str(r, "domains/0/recent_alerts/1/key"), "iss5");
	/* details is embedded as an object, not a string. */
	assert_string_equal(
		str(r, "domains/0/recent_alerts/1/details/reason"),
		"not authorised");
	assert_int_equal(num(r, "domains/0/recent_alerts/1/details/n/1"), 2);
	assert_true(num(r, "domains/0/recent_alerts/1/id") > 0);
	assert_string_equal(str(r, "domains/0/recent_alerts/2/type"),
			    "wildcard");
	assert_string_equal(str(r, "domains/0/recent_alerts/3/key"),
			    "api.example.com");
	assert_true(boolean(r, "domains/0/recent_alerts/3/baseline"));
	assert_string_equal(str(r, "domains/0/recent_alerts/4/key"),
			    "old.example.com");

	assert_int_equal(num(r, "domains/1/alerts_summary/open"), 1);
	assert_int_equal(
		num(r, "domains/1/alerts_summary/open_by_severity/low"), 1);
	assert_int_equal(len(r, "domains/1/recent_alerts"), 1);
	assert_int_equal(num(r, "totals/open_alerts"), 4);
	json_object_put(r);
}

static void test_certificate_list(void **state)
{
	struct fx *f = *state;
	struct json_object *r, *v;

	fill(f);
	r = build(f->s, domains2, 2);
	/* Newest first by first_seen: I2, I4, I3, I1, I5, I9. */
	assert_int_equal(len(r, "domains/0/certificates_list"), 6);
	assert_int_equal(num(r, "domains/0/certificates_list/0/id"),
			 f->iss[2]);
	assert_int_equal(num(r, "domains/0/certificates_list/1/id"),
			 f->iss[4]);
	assert_int_equal(num(r, "domains/0/certificates_list/2/id"),
			 f->iss[3]);
	assert_int_equal(num(r, "domains/0/certificates_list/3/id"),
			 f->iss[1]);
	assert_int_equal(num(r, "domains/0/certificates_list/4/id"),
			 f->iss[5]);
	assert_int_equal(num(r, "domains/0/certificates_list/5/id"),
			 f->iss[9]);
	assert_true(boolean(r, "domains/0/certificates_list/0/wildcard"));
	assert_false(boolean(r, "domains/0/certificates_list/1/wildcard"));

	/* The pair: both crt.sh ids, the first record's times. */
	assert_int_equal(len(r, "domains/0/certificates_list/3/crtsh_ids"),
			 2);
	assert_int_equal(num(r, "domains/0/certificates_list/3/crtsh_ids/0"),
			 5001);
	assert_int_equal(num(r, "domains/0/certificates_list/3/crtsh_ids/1"),
			 5002);
	assert_string_equal(str(r, "domains/0/certificates_list/3/issuer"),
			    LE);
	assert_int_equal(num(r, "domains/0/certificates_list/3/ca_id"), 1001);
	assert_string_equal(str(r, "domains/0/certificates_list/3/serial"),
			    "0a01");
	assert_int_equal(len(r, "domains/0/certificates_list/3/names"), 2);
	assert_string_equal(str(r, "domains/0/certificates_list/3/names/0"),
			    "example.com");
	assert_string_equal(str(r, "domains/0/certificates_list/3/names/1"),
			    "www.example.com");
	assert_string_equal(
		str(r, "domains/0/certificates_list/3/not_before"),
		"2026-11-15T12:00:00Z");
	assert_string_equal(str(r, "domains/0/certificates_list/3/not_after"),
			    "2027-02-13T12:00:00Z");
	assert_string_equal(
		str(r, "domains/0/certificates_list/3/first_seen"),
		"2026-11-23T12:00:00Z");
	v = at(r, "domains/0/certificates_list/3/validity_hours");
	assert_true(json_object_is_type(v, json_type_double));
	assert_true(json_object_get_double(v) == 2160.0);
	/* 100 seconds: 0.027 h, truncated to 0.02. */
	v = at(r, "domains/0/certificates_list/4/validity_hours");
	assert_true(json_object_get_double(v) == 0.02);
	/* A cross-domain issuance lists all its names. */
	assert_int_equal(len(r, "domains/0/certificates_list/5/names"), 2);
	assert_string_equal(str(r, "domains/0/certificates_list/5/names/0"),
			    "shop.a_b.net");
	json_object_put(r);
}

static void test_baseline_and_unknown_domain(void **state)
{
	static char *domains[] = {"example.com", "a_b.net", "never.example",
				  NULL};
	struct fx *f = *state;
	struct json_object *r;

	fill(f);
	r = build(f->s, domains, 3);
	assert_string_equal(str(r, "domains/0/baselined_at"),
			    "2026-11-18T12:00:00Z");
	assert_null_at(r, "domains/1/baselined_at");
	/* A domain the store never saw: zeros and empty lists. */
	assert_null_at(r, "domains/2/baselined_at");
	assert_int_equal(num(r, "domains/2/certificates/total"), 0);
	assert_int_equal(num(r, "domains/2/certificates/records"), 0);
	assert_int_equal(num(r, "domains/2/subdomains_summary/total"), 0);
	assert_int_equal(
		num(r, "domains/2/subdomains_summary/dns/unresolved"), 0);
	assert_int_equal(num(r, "domains/2/alerts_summary/open"), 0);
	assert_int_equal(
		num(r, "domains/2/alerts_summary/open_by_severity/critical"),
		0);
	assert_int_equal(len(r, "domains/2/top_issuers"), 0);
	assert_int_equal(len(r, "domains/2/recent_alerts"), 0);
	assert_int_equal(len(r, "domains/2/subdomains"), 0);
	assert_int_equal(len(r, "domains/2/certificates_list"), 0);
	assert_int_equal(num(r, "totals/domains"), 3);
	assert_int_equal(num(r, "totals/certificates"), 7);
	json_object_put(r);
}

/* example.com and bank.example.com both monitored: a bank name is under
 * both, and the totals count it once. */
static void test_nested_domains_totals(void **state)
{
	static char *domains[] = {"example.com", "bank.example.com", NULL};
	struct fx *f = *state;
	struct ctm_store *s = f->s;
	struct json_object *r;
	int64_t i1, i2;

	assert_int_equal(ctm_store_begin(s), CTMON_OK);
	ensure_domain(s, "example.com");
	ensure_domain(s, "bank.example.com");
	i1 = ingest_new(s, &(struct cert_spec){1, LE, 1001, "01", NOW - DAY,
					       NOW + DAY, 0, NOW - 10,
					       {"www.bank.example.com"}});
	i2 = ingest_new(s, &(struct cert_spec){2, LE, 1001, "02", NOW - DAY,
					       NOW + DAY, 0, NOW - 10,
					       {"www.example.com"}});
	touch(s, "example.com", "www.bank.example.com", i1, NOW - 10);
	touch(s, "bank.example.com", "www.bank.example.com", i1, NOW - 10);
	touch(s, "example.com", "www.example.com", i2, NOW - 10);
	alert(s, "new_subdomain", CTMON_SEV_LOW, "example.com", "a", "{}", i1,
	      0, NOW - 10);
	alert(s, "new_subdomain", CTMON_SEV_LOW, "bank.example.com", "a",
	      "{}", i1, 0, NOW - 10);
	assert_int_equal(ctm_store_commit(s), CTMON_OK);

	r = build(s, domains, 2);
	assert_int_equal(num(r, "domains/0/certificates/total"), 2);
	assert_int_equal(num(r, "domains/1/certificates/total"), 1);
	assert_int_equal(num(r, "totals/certificates"), 2);
	assert_int_equal(num(r, "totals/subdomains"), 2);
	/* Alerts are rows per domain: both are open. */
	assert_int_equal(num(r, "totals/open_alerts"), 2);
	json_object_put(r);
}

/* The lists are capped: 10 issuers, 50 alerts, 100 certificates, each
 * keeping the top / newest. */
static void test_limits(void **state)
{
	static char *domains[] = {"example.com", NULL};
	struct fx *f = *state;
	struct ctm_store *s = f->s;
	struct json_object *r;
	char issuer[64], serial[16], name[64], key[16];

	assert_int_equal(ctm_store_begin(s), CTMON_OK);
	ensure_domain(s, "example.com");
	/* Issuer k (0..11) gets k+1 certificates: 78 in all. */
	for (int k = 0, n = 0; k < 12; k++) {
		snprintf(issuer, sizeof issuer, "CN=CA %02d", k);
		for (int j = 0; j <= k; j++, n++) {
			snprintf(serial, sizeof serial, "%04x", n);
			snprintf(name, sizeof name, "h%d.example.com", n);
			ingest_new(s, &(struct cert_spec){
					      1000 + n, issuer, 100 + k, serial,
					      NOW - DAY, NOW + DAY, 0,
					      NOW - 10000 + n, {name}});
		}
	}
	for (int n = 78; n < 110; n++) {
		snprintf(serial, sizeof serial, "%04x", n);
		snprintf(name, sizeof name, "h%d.example.com", n);
		ingest_new(s, &(struct cert_spec){1000 + n, "CN=CA 00", 100,
						  serial, NOW - DAY,
						  NOW + DAY, 0,
						  NOW - 10000 + n, {name}});
	}
	for (int n = 0; n < 60; n++) {
		snprintf(key, sizeof key, "k%d", n);
		alert(s, "wildcard", CTMON_SEV_MEDIUM, "example.com", key, "{}",
		      0, 0, NOW - 1000 + n);
	}
	assert_int_equal(ctm_store_commit(s), CTMON_OK);

	r = build(s, domains, 1);
	assert_int_equal(num(r, "domains/0/certificates/total"), 110);
	/* CA 00 now has 33, then CA 11 (12) ... CA 02 (3); CA 01 is 11th. */
	assert_int_equal(len(r, "domains/0/top_issuers"), 10);
	assert_string_equal(str(r, "domains/0/top_issuers/0/issuer"),
			    "CN=CA 00");
	assert_int_equal(num(r, "domains/0/top_issuers/0/certificates"), 33);
	assert_string_equal(str(r, "domains/0/top_issuers/1/issuer"),
			    "CN=CA 11");
	assert_int_equal(num(r, "domains/0/top_issuers/1/ca_id"), 111);
	assert_string_equal(str(r, "domains/0/top_issuers/9/issuer"),
			    "CN=CA 03");
	assert_int_equal(num(r, "domains/0/top_issuers/9/certificates"), 4);

	assert_int_equal(len(r, "domains/0/recent_alerts"), 50);
	assert_string_equal(str(r, "domains/0/recent_alerts/0/key"), "k59");
	assert_string_equal(str(r, "domains/0/recent_alerts/49/key"), "k10");
	assert_int_equal(num(r, "domains/0/alerts_summary/open"), 60);

	assert_int_equal(len(r, "domains/0/certificates_list"), 100);
	assert_int_equal(num(r, "domains/0/certificates_list/0/crtsh_ids/0"),
			 1109);
	assert_int_equal(num(r, "domains/0/certificates_list/99/crtsh_ids/0"),
			 1010);
	json_object_put(r);
}

/* An issuer DN that is not UTF-8 (a T61String read as bytes) must not
 * make the report invalid JSON: the bad byte becomes U+FFFD. */
static void test_non_utf8_issuer(void **state)
{
	static char *domains[] = {"example.com", NULL};
	struct fx *f = *state;
	struct ctm_error err;
	struct json_object *r;
	char *text = NULL;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	ensure_domain(f->s, "example.com");
	ingest_new(f->s, &(struct cert_spec){1, "O=Caf\xe9 \xc3\xa9t\xc3\xa9",
					     0, "01", NOW - DAY, NOW + DAY, 0,
					     NOW - 10, {"www.example.com"}});
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);
	assert_int_equal(ctm_report_build(f->s, domains, 1, NOW, &text, &err),
			 CTMON_OK);
	assert_null(strstr(text, "Caf\xe9"));
	r = json_tokener_parse(text);
	free(text);
	assert_non_null(r);
	/* Valid UTF-8 around it is kept as it is. */
	assert_string_equal(str(r, "domains/0/top_issuers/0/issuer"),
			    "O=Caf\xef\xbf\xbd \xc3\xa9t\xc3\xa9");
	assert_string_equal(str(r, "domains/0/certificates_list/0/issuer"),
			    "O=Caf\xef\xbf\xbd \xc3\xa9t\xc3\xa9");
	/* crt.sh CA id 0 means unknown: null, in both lists. */
	assert_null_at(r, "domains/0/top_issuers/0/ca_id");
	assert_null_at(r, "domains/0/certificates_list/0/ca_id");
	json_object_put(r);
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text;
	long size;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size > 0);
	rewind(fp);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	return text;
}

static void test_write_file_and_stdout(void **state)
{
	struct fx *f = *state;
	struct ctm_error err;
	char path[192], tmp[200], bad[200], *expected = NULL, *text;
	struct stat sb;
	int fd, saved;

	fill(f);
	snprintf(path, sizeof path, "%s/report.json", f->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(ctm_report_build(f->s, domains2, 2, NOW, &expected,
					  &err),
			 CTMON_OK);

	/* An old report is replaced whole; no temp file is left behind. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old", 3), 3);
	close(fd);
	assert_int_equal(ctm_report_write(f->s, domains2, 2, NOW, path, &err),
			 CTMON_OK);
	text = read_file(path);
	assert_string_equal(text, expected);
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	assert_int_equal(stat(tmp, &sb), -1);

	/* "-" is stdout. */
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	assert_int_equal(ctm_report_write(f->s, domains2, 2, NOW, "-", &err),
			 CTMON_OK);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	text = read_file(tmp);
	assert_string_equal(text, expected);
	free(text);
	unlink(tmp);

	/* A directory that does not exist: the error names the file. */
	snprintf(bad, sizeof bad, "%s/missing/report.json", f->dir);
	err.text[0] = '\0';
	assert_int_equal(ctm_report_write(f->s, domains2, 2, NOW, bad, &err),
			 CTMON_EIO);
	assert_non_null(strstr(err.text, "missing/report.json.tmp"));
	assert_non_null(strstr(err.text, "No such file or directory"));
	free(expected);
}

/* "sources": every source instance with state or cursors, by id; its
 * "status.*" values embedded as JSON (other state left out), its cursors
 * as strings; a value that is not JSON or not UTF-8 stays a string. */
static void test_sources(void **state)
{
	static const char *const src[] = {"id", "status", "cursors"};
	struct fx *f = *state;
	struct ctm_error err;
	struct json_object *r;
	char *text = NULL;

	assert_int_equal(ctm_store_begin(f->s), CTMON_OK);
	assert_int_equal(
		ctm_store_kv_put(f->s, "source:ct", "status.log-a",
				 "{\"head\":30,\"cursor\":10,\"backlog\":20,"
				 "\"trusted\":true}",
				 NOW),
		CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "source:ct", "status.bad",
					  "not json \xe9", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "source:ct", "untrusted:x",
					  "why", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "check:typo", "status.t",
					  "{}", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "ct", "log:abc",
					      "v1 0 30 1 ab", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "crt", "example.com",
					      "42", NOW),
			 CTMON_OK);
	assert_int_equal(ctm_store_commit(f->s), CTMON_OK);
	assert_int_equal(ctm_report_build(f->s, domains2, 2, NOW, &text, &err),
			 CTMON_OK);
	r = json_tokener_parse(text);
	free(text);
	assert_non_null(r);
	assert_int_equal(len(r, "sources"), 2);
	assert_keys(at(r, "sources/0"), src, 3);
	assert_string_equal(str(r, "sources/0/id"), "crt");
	assert_int_equal(json_object_object_length(at(r, "sources/0/status")),
			 0);
	assert_string_equal(str(r, "sources/0/cursors/example.com"), "42");
	assert_string_equal(str(r, "sources/1/id"), "ct");
	assert_int_equal(json_object_object_length(at(r, "sources/1/status")),
			 2);
	assert_int_equal(num(r, "sources/1/status/log-a/head"), 30);
	assert_int_equal(num(r, "sources/1/status/log-a/cursor"), 10);
	assert_int_equal(num(r, "sources/1/status/log-a/backlog"), 20);
	assert_true(boolean(r, "sources/1/status/log-a/trusted"));
	assert_string_equal(str(r, "sources/1/status/bad"),
			    "not json \xef\xbf\xbd");
	assert_string_equal(str(r, "sources/1/cursors/log:abc"),
			    "v1 0 30 1 ab");
	json_object_put(r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_shape_and_key_order),
		T(test_certificate_counts),
		T(test_top_issuers),
		T(test_subdomains),
		T(test_alerts),
		T(test_certificate_list),
		T(test_baseline_and_unknown_domain),
		T(test_nested_domains_totals),
		T(test_limits),
		T(test_non_utf8_issuer),
		T(test_write_file_and_stdout),
		T(test_sources),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
