/* test_store_ingest.c - certificates, issuances, names, subdomains, and
 * reading issuances back as checks see them. */
#include "store_fixture.h"

#define DIGICERT_CRTSH "C=US, O=\"DigiCert, Inc.\", CN=DigiCert SHA2"
#define DIGICERT_ONELINE "/C=US/O=DigiCert, Inc./CN=DigiCert SHA2"

static void ensure(struct ctm_store *s, const char *domain)
{
	int b;
	assert_int_equal(ctm_store_domain_ensure(s, domain, 1, &b), CTMON_OK);
}

static void test_dedup_by_crtsh_id(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result r1, r2;
	struct spec sp = {.crtsh_id = 42,
			  .serial = "0a",
			  .ca_id = 7,
			  .names = {"www.example.com"}};

	ensure(f->s, "example.com");
	assert_int_equal(fx_ingest(f->s, &sp, 10, &r1), CTMON_OK);
	assert_int_equal(r1.cert_is_new, 1);
	assert_int_equal(r1.issuance_is_new, 1);
	assert_int_equal(r1.names_added, 1);
	assert_true(r1.cert_id > 0 && r1.issuance_id > 0);
	assert_int_equal(fx_ingest(f->s, &sp, 20, &r2), CTMON_OK);
	assert_int_equal(r2.cert_is_new, 0);
	assert_int_equal(r2.issuance_is_new, 0);
	assert_int_equal(r2.names_added, 0);
	assert_int_equal(r2.cert_id, r1.cert_id);
	assert_int_equal(r2.issuance_id, r1.issuance_id);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"), 1);
	assert_int_equal(fx_count(f->s, "SELECT first_seen FROM certificates"),
			 10);
}

static void test_precert_cert_pair(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result pre, fin;
	struct ctmon_issuance *is = NULL;
	struct spec p = {.crtsh_id = 100,
			 .serial = "00ab12cd",
			 .ca_id = 1191,
			 .is_precert = 1,
			 .names = {"www.example.com"}};
	struct spec c = {.crtsh_id = 101,
			 .serial = "ab12cd",
			 .ca_id = 1191,
			 .is_precert = 0,
			 .names = {"www.example.com"}};
	struct spec other_ca = {.crtsh_id = 102,
				.serial = "ab12cd",
				.ca_id = 9999,
				.issuer = "C=US, O=Other, CN=Other CA",
				.names = {"www.example.com"}};

	ensure(f->s, "example.com");
	assert_int_equal(fx_ingest(f->s, &p, 10, &pre), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &c, 11, &fin), CTMON_OK);
	assert_int_equal(pre.cert_is_new, 1);
	assert_int_equal(pre.issuance_is_new, 1);
	assert_int_equal(fin.cert_is_new, 1);
	assert_int_equal(fin.issuance_is_new, 0);
	assert_int_equal(fin.names_added, 0);
	assert_int_equal(fin.issuance_id, pre.issuance_id);
	assert_int_not_equal(fin.cert_id, pre.cert_id);

	assert_int_equal(ctm_store_issuance_load(f->s, pre.issuance_id,
						 "example.com", &is),
			 CTMON_OK);
	assert_int_equal(is->n_crtsh_ids, 2);
	assert_int_equal(is->crtsh_ids[0], 100);
	assert_int_equal(is->crtsh_ids[1], 101);
	/* The representative is the first record: the precertificate. */
	assert_int_equal(is->cert->crtsh_id, 100);
	assert_int_equal(is->cert->is_precert, 1);
	assert_string_equal(is->cert->serial, "00ab12cd");
	assert_int_equal(is->cert->issuer_ca_id, 1191);
	ctm_store_issuance_free(is);

	/* Same serial from another CA is another issuance. */
	assert_int_equal(fx_ingest(f->s, &other_ca, 12, &fin), CTMON_OK);
	assert_int_equal(fin.issuance_is_new, 1);
	assert_int_not_equal(fin.issuance_id, pre.issuance_id);
}

/* One certificate through crt.sh (CA id, crt.sh's DN spelling) and
 * through a CT log (no CA id, RFC 2253 spelling) is one issuance, which
 * learns the CA id whichever came first. */
static void test_crtsh_and_log_are_one_issuance(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result a, b;
	struct spec log = {.log_id = "logA",
			   .log_index = 7,
			   .serial = "0A0B",
			   .issuer = "CN=R11,O=Let's Encrypt,C=US",
			   .is_precert = 1,
			   .names = {"www.example.com"}};
	struct spec crt = {.crtsh_id = 555,
			   .serial = "0a0b",
			   .ca_id = 295810,
			   .issuer = "C=US, O=Let's Encrypt, CN=R11",
			   .is_precert = 0,
			   .names = {"www.example.com"}};

	ensure(f->s, "example.com");
	assert_int_equal(fx_ingest(f->s, &log, 10, &a), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &crt, 11, &b), CTMON_OK);
	assert_int_equal(a.issuance_is_new, 1);
	assert_int_equal(b.cert_is_new, 1);
	assert_int_equal(b.issuance_is_new, 0);
	assert_int_equal(b.issuance_id, a.issuance_id);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances"), 1);
	assert_int_equal(fx_count(f->s, "SELECT issuer_ca_id FROM issuances"),
			 295810);
}

static void test_pair_by_issuer_dn_spellings(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result a, b;
	struct spec p = {.log_id = "logA",
			 .log_index = 5,
			 .serial = "0101",
			 .issuer = DIGICERT_CRTSH,
			 .is_precert = 1,
			 .names = {"a.example.com"}};
	struct spec c = {.log_id = "logA",
			 .log_index = 6,
			 .serial = "101",
			 .issuer = DIGICERT_ONELINE,
			 .is_precert = 0,
			 .names = {"a.example.com"}};

	assert_int_equal(fx_ingest(f->s, &p, 1, &a), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &c, 1, &b), CTMON_OK);
	assert_int_equal(a.issuance_is_new, 1);
	assert_int_equal(b.cert_is_new, 1);
	assert_int_equal(b.issuance_is_new, 0);
	assert_int_equal(a.issuance_id, b.issuance_id);
}

static void test_pair_by_tbs_hash_and_validity(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result a, b, c, d;
	struct spec t1 = {.fingerprint = "f1",
			  .tbs_hash = "ABCDEF",
			  .names = {"t.example.com"}};
	struct spec t2 = {.fingerprint = "f2",
			  .tbs_hash = "abcdef",
			  .names = {"t.example.com"}};
	/* Neither serial nor TBS: issuer + validity + the same name set. */
	struct spec v1 = {.fingerprint = "f3",
			  .not_before = 5,
			  .not_after = 9,
			  .names = {"x.example.com", "y.example.com"}};
	struct spec v2 = {.fingerprint = "f4",
			  .not_before = 5,
			  .not_after = 9,
			  .names = {"y.example.com", "x.example.com"}};

	assert_int_equal(fx_ingest(f->s, &t1, 1, &a), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &t2, 1, &b), CTMON_OK);
	assert_int_equal(b.cert_is_new, 1);
	assert_int_equal(b.issuance_id, a.issuance_id);
	assert_int_equal(fx_ingest(f->s, &v1, 1, &c), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &v2, 1, &d), CTMON_OK);
	assert_int_equal(d.cert_is_new, 1);
	assert_int_equal(d.issuance_is_new, 0);
	assert_int_equal(d.issuance_id, c.issuance_id);
	assert_int_not_equal(c.issuance_id, a.issuance_id);
}

static void test_dedup_by_log_entry_and_fingerprint(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result a, b, c, d;
	struct spec log = {.log_id = "L1",
			   .log_index = 77,
			   .serial = "05",
			   .fingerprint = "aa11",
			   .names = {"l.example.com"}};
	struct spec same_entry = {.log_id = "L1",
				  .log_index = 77,
				  .serial = "05",
				  .names = {"l.example.com"}};
	struct spec other_log = {.log_id = "L2",
				 .log_index = 3,
				 .serial = "05",
				 .fingerprint = "aa11",
				 .names = {"l.example.com"}};
	/* crt.sh later: same certificate by fingerprint; keeps its id. */
	struct spec crtsh = {.crtsh_id = 555,
			     .serial = "05",
			     .fingerprint = "aa11",
			     .names = {"l.example.com"}};

	assert_int_equal(fx_ingest(f->s, &log, 1, &a), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &same_entry, 1, &b), CTMON_OK);
	assert_int_equal(b.cert_is_new, 0);
	assert_int_equal(b.cert_id, a.cert_id);
	assert_int_equal(fx_ingest(f->s, &other_log, 1, &c), CTMON_OK);
	assert_int_equal(c.cert_is_new, 0);
	assert_int_equal(c.cert_id, a.cert_id);
	assert_int_equal(fx_ingest(f->s, &crtsh, 1, &d), CTMON_OK);
	assert_int_equal(d.cert_is_new, 0);
	assert_int_equal(d.cert_id, a.cert_id);
	assert_int_equal(fx_count(f->s, "SELECT crtsh_id FROM certificates"),
			 555);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates"),
			 1);
	/* And now found by crt.sh id directly. */
	assert_int_equal(fx_ingest(f->s, &crtsh, 1, &d), CTMON_OK);
	assert_int_equal(d.cert_is_new, 0);
}

static int64_t names_json_is(struct ctm_store *s, int64_t id, const char *want)
{
	sqlite3_stmt *st = NULL;
	int64_t ok = 0;

	assert_int_equal(sqlite3_prepare_v2(ctm_store_db(s),
					    "SELECT names_json FROM issuances "
					    "WHERE id = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	ok = strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
	if (!ok)
		fprintf(stderr, "names_json %s, want %s\n",
			sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	return ok;
}

static void test_names_union(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result a, b, c;
	struct ctmon_issuance *is = NULL;
	struct spec p = {
		.crtsh_id = 1,
		.serial = "77",
		.ca_id = 5,
		.names = {"b.example.com", "a.example.com", "a.example.com"}};
	struct spec q = {.crtsh_id = 2,
			 .serial = "77",
			 .ca_id = 5,
			 .names = {"c.example.com", "b.example.com"}};
	/* crt.sh lists one certificate in several rows: same id, more
	 * names. */
	struct spec p_again = {.crtsh_id = 1,
			       .serial = "77",
			       .ca_id = 5,
			       .names = {"d.other.org"}};

	ensure(f->s, "example.com");
	ensure(f->s, "other.org");
	assert_int_equal(fx_ingest(f->s, &p, 1, &a), CTMON_OK);
	assert_int_equal(a.names_added, 2); /* the duplicate counts once */
	assert_true(names_json_is(f->s, a.issuance_id,
				  "[\"a.example.com\",\"b.example.com\"]"));
	assert_int_equal(fx_ingest(f->s, &q, 1, &b), CTMON_OK);
	assert_int_equal(b.issuance_id, a.issuance_id);
	assert_int_equal(b.names_added, 1);
	assert_true(names_json_is(
		f->s, a.issuance_id,
		"[\"a.example.com\",\"b.example.com\",\"c.example.com\"]"));
	assert_int_equal(fx_ingest(f->s, &p_again, 1, &c), CTMON_OK);
	assert_int_equal(c.cert_is_new, 0);
	assert_int_equal(c.names_added, 1);
	assert_true(names_json_is(f->s, a.issuance_id,
				  "[\"a.example.com\",\"b.example.com\","
				  "\"c.example.com\",\"d.other.org\"]"));
	assert_int_equal(
		fx_count(f->s, "SELECT count(*) FROM certificate_names"), 4);
	/* The new name linked the issuance to its second domain. */
	assert_int_equal(
		fx_count(f->s, "SELECT count(*) FROM issuance_domains"), 2);

	assert_int_equal(
		ctm_store_issuance_load(f->s, a.issuance_id, "other.org", &is),
		CTMON_OK);
	assert_string_equal(is->domain, "other.org");
	assert_int_equal(is->n_names, 1);
	assert_string_equal(is->names[0], "d.other.org");
	assert_int_equal(is->cert->n_names, 4);
	assert_int_equal(is->n_new_names, 0);
	assert_null(is->new_names);
	ctm_store_issuance_free(is);
}

static void test_issuance_load(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result r;
	struct ctmon_issuance *is = NULL;
	struct spec sp = {
		.crtsh_id = 9,
		.serial = "0f",
		.ca_id = 3,
		.issuer = DIGICERT_CRTSH,
		.not_before = 1000,
		.not_after = 2000,
		.is_precert = 0,
		.log_id = "LOG",
		.log_index = 12,
		.fingerprint = "beef",
		.names = {"*.example.com", "example.com", "notexample.com"}};

	ensure(f->s, "example.com");
	assert_int_equal(fx_ingest(f->s, &sp, 1, &r), CTMON_OK);
	assert_int_equal(ctm_store_issuance_load(f->s, r.issuance_id,
						 "example.com", &is),
			 CTMON_OK);
	assert_int_equal(is->size, sizeof *is);
	assert_int_equal(is->id, r.issuance_id);
	assert_int_equal(is->cert->size, sizeof *is->cert);
	assert_int_equal(is->n_names, 2); /* notexample.com is not under */
	assert_string_equal(is->names[0], "*.example.com");
	assert_string_equal(is->names[1], "example.com");
	assert_int_equal(is->cert->n_names, 3);
	assert_string_equal(is->cert->issuer_dn, DIGICERT_CRTSH);
	assert_string_equal(is->cert->subject_cn, "*.example.com");
	assert_string_equal(is->cert->log_id, "LOG");
	assert_int_equal(is->cert->log_index, 12);
	assert_string_equal(is->cert->fingerprint, "beef");
	assert_int_equal(is->cert->not_before, 1000);
	assert_int_equal(is->cert->not_after, 2000);
	assert_int_equal(is->cert->is_precert, 0);
	assert_int_equal(is->baseline, 0);
	ctm_store_issuance_free(is);

	is = (struct ctmon_issuance *)1;
	assert_int_equal(
		ctm_store_issuance_load(f->s, 999999, "example.com", &is),
		CTMON_ENOTFOUND);
	assert_null(is);
}

static void test_subdomain_touch(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result r;
	struct spec sp = {
		.crtsh_id = 1, .serial = "01", .names = {"www.example.com"}};
	int is_new = -1;

	assert_int_equal(fx_ingest(f->s, &sp, 1, &r), CTMON_OK);
	assert_int_equal(ctm_store_subdomain_touch(f->s, "example.com",
						   "www.example.com",
						   r.issuance_id, 100, &is_new),
			 CTMON_OK);
	assert_int_equal(is_new, 1);
	assert_int_equal(ctm_store_subdomain_touch(f->s, "example.com",
						   "www.example.com",
						   r.issuance_id, 200, &is_new),
			 CTMON_OK);
	assert_int_equal(is_new, 0);
	/* Same name under another monitored domain is its own row. */
	assert_int_equal(ctm_store_subdomain_touch(f->s, "www.example.com",
						   "www.example.com",
						   r.issuance_id, 200, &is_new),
			 CTMON_OK);
	assert_int_equal(is_new, 1);
	assert_int_equal(fx_count(f->s, "SELECT first_seen FROM subdomains "
					"WHERE domain = 'example.com'"),
			 100);
	assert_int_equal(fx_count(f->s, "SELECT last_seen FROM subdomains "
					"WHERE domain = 'example.com'"),
			 200);
	assert_int_equal(ctm_store_subdomain_set_dns(
				 f->s, "example.com", "www.example.com",
				 "resolved", "192.0.2.1", NULL, 300),
			 CTMON_OK);
	assert_int_equal(fx_count(f->s, "SELECT resolved_at FROM subdomains "
					"WHERE dns_status = 'resolved'"),
			 300);
	assert_int_equal(ctm_store_subdomain_set_dns(f->s, "example.com",
						     "nope.example.com",
						     "nxdomain", NULL, NULL, 1),
			 CTMON_ENOTFOUND);
}

struct sub_seen {
	int n;
	char names[4][64];
};

static int collect_sub(void *ctx, const struct ctm_subdomain *sd)
{
	struct sub_seen *s = ctx;
	if (s->n < 4)
		snprintf(s->names[s->n], sizeof s->names[0], "%s/%s",
			 sd->domain, sd->name);
	s->n++;
	return 0;
}

static void test_subdomain_foreach(void **state)
{
	struct fx *f = *state;
	struct sub_seen seen;
	int is_new;

	memset(&seen, 0, sizeof seen);
	assert_int_equal(ctm_store_subdomain_touch(f->s, "b.org", "x.b.org", 0,
						   1, &is_new),
			 CTMON_OK);
	assert_int_equal(ctm_store_subdomain_touch(f->s, "a.org", "y.a.org", 0,
						   1, &is_new),
			 CTMON_OK);
	assert_int_equal(
		ctm_store_subdomain_foreach(f->s, NULL, collect_sub, &seen),
		CTMON_OK);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.names[0], "a.org/y.a.org");
	assert_string_equal(seen.names[1], "b.org/x.b.org");
	memset(&seen, 0, sizeof seen);
	assert_int_equal(
		ctm_store_subdomain_foreach(f->s, "b.org", collect_sub, &seen),
		CTMON_OK);
	assert_int_equal(seen.n, 1);
}

/* foreach_issuance results as "domain:not_after" lines. */
struct walk {
	int n;
	int stop_after;
	char seen[8][64];
	struct ctm_store *s;
	int nested_n;
};

static int collect(void *ctx, const struct ctmon_issuance *is)
{
	struct walk *w = ctx;

	if (w->n < 8)
		snprintf(w->seen[w->n], sizeof w->seen[0], "%s:%lld",
			 is->domain, (long long)is->cert->not_after);
	w->n++;
	return w->stop_after && w->n >= w->stop_after;
}

static void ingest_validity(struct ctm_store *s, int64_t crtsh,
			    const char *name, int64_t na)
{
	struct ctm_ingest_result r;
	char serial[16];
	struct spec sp = {.crtsh_id = crtsh,
			  .ca_id = 1,
			  .not_before = 1,
			  .not_after = na,
			  .names = {name}};

	snprintf(serial, sizeof serial, "%llx", (unsigned long long)crtsh);
	sp.serial = serial;
	assert_int_equal(fx_ingest(s, &sp, 1, &r), CTMON_OK);
	assert_int_equal(r.issuance_is_new, 1);
}

static void test_foreach_issuance_range(void **state)
{
	struct fx *f = *state;
	struct walk w;

	ensure(f->s, "example.com");
	ensure(f->s, "other.org");
	ingest_validity(f->s, 1, "a.example.com", 100);
	ingest_validity(f->s, 2, "b.example.com", 200);
	ingest_validity(f->s, 3, "c.example.com", 300);
	ingest_validity(f->s, 4, "x.other.org", 250);
	ingest_validity(f->s, 5, "x.unrelated.net", 250);

	memset(&w, 0, sizeof w);
	assert_int_equal(ctm_store_foreach_issuance(f->s, "example.com", 150,
						    300, collect, &w),
			 CTMON_OK);
	assert_int_equal(w.n, 1); /* [from, to): 300 is out */
	assert_string_equal(w.seen[0], "example.com:200");

	memset(&w, 0, sizeof w);
	assert_int_equal(
		ctm_store_foreach_issuance(f->s, NULL, 0, 1000, collect, &w),
		CTMON_OK);
	assert_int_equal(w.n, 4); /* unrelated.net is not monitored */
	assert_string_equal(w.seen[0], "example.com:100");
	assert_string_equal(w.seen[1], "example.com:200");
	assert_string_equal(w.seen[2], "example.com:300");
	assert_string_equal(w.seen[3], "other.org:250");

	memset(&w, 0, sizeof w);
	w.stop_after = 2;
	assert_int_equal(ctm_store_foreach_issuance(f->s, "example.com", 0,
						    1000, collect, &w),
			 CTMON_OK);
	assert_int_equal(w.n, 2);

	/* A domain that is not monitored is found by scanning names. */
	memset(&w, 0, sizeof w);
	assert_int_equal(ctm_store_foreach_issuance(f->s, "unrelated.net", 0,
						    1000, collect, &w),
			 CTMON_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.seen[0], "unrelated.net:250");

	/* Monitoring it from now on links what is already stored. */
	ensure(f->s, "unrelated.net");
	memset(&w, 0, sizeof w);
	assert_int_equal(
		ctm_store_foreach_issuance(f->s, NULL, 0, 1000, collect, &w),
		CTMON_OK);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.seen[4], "unrelated.net:250");
}

/* A check walking issuances may load others and walk again. */
static int nested(void *ctx, const struct ctmon_issuance *is)
{
	struct walk *w = ctx;
	struct walk inner;
	struct ctmon_issuance *again = NULL;

	memset(&inner, 0, sizeof inner);
	assert_int_equal(ctm_store_foreach_issuance(w->s, "example.com", 0,
						    1000, collect, &inner),
			 CTMON_OK);
	w->nested_n += inner.n;
	assert_int_equal(
		ctm_store_issuance_load(w->s, is->id, is->domain, &again),
		CTMON_OK);
	assert_int_equal(again->id, is->id);
	ctm_store_issuance_free(again);
	w->n++;
	return 0;
}

static void test_foreach_reentrant(void **state)
{
	struct fx *f = *state;
	struct walk w;

	ensure(f->s, "example.com");
	ingest_validity(f->s, 1, "a.example.com", 100);
	ingest_validity(f->s, 2, "b.example.com", 200);
	memset(&w, 0, sizeof w);
	w.s = f->s;
	assert_int_equal(ctm_store_foreach_issuance(f->s, "example.com", 0,
						    1000, nested, &w),
			 CTMON_OK);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.nested_n, 4);
}

static void test_name_covered_until(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result wild, exact, future;
	struct spec w = {.crtsh_id = 1,
			 .serial = "01",
			 .not_before = 150,
			 .not_after = 1000,
			 .names = {"*.example.com"}};
	struct spec e = {.crtsh_id = 2,
			 .serial = "02",
			 .not_before = 100,
			 .not_after = 500,
			 .names = {"www.example.com"}};
	struct spec fut = {.crtsh_id = 3,
			   .serial = "03",
			   .not_before = 5000,
			   .not_after = 9000,
			   .names = {"www.example.com"}};
	int64_t until = -1;

	assert_int_equal(fx_ingest(f->s, &w, 1, &wild), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &e, 1, &exact), CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &fut, 1, &future), CTMON_OK);

	/* The wildcard covers www beyond the exact certificate. */
	assert_int_equal(ctm_store_name_covered_until(f->s, "www.example.com",
						      exact.issuance_id, 200,
						      &until),
			 CTMON_OK);
	assert_int_equal(until, 1000);
	assert_int_equal(ctm_store_name_covered_until(f->s, "www.example.com",
						      wild.issuance_id, 200,
						      &until),
			 CTMON_OK);
	/* The exact certificate is older than the wildcard: it never
	 * renews it, and the future one is not valid yet. */
	assert_int_equal(until, 0);
	assert_int_equal(ctm_store_name_covered_until(f->s, "www.example.com",
						      wild.issuance_id, 6000,
						      &until),
			 CTMON_OK);
	assert_int_equal(until, 9000);
	/* One label only, and not the apex. */
	assert_int_equal(ctm_store_name_covered_until(f->s, "a.b.example.com",
						      0, 200, &until),
			 CTMON_OK);
	assert_int_equal(until, 0);
	assert_int_equal(ctm_store_name_covered_until(f->s, "example.com", 0,
						      200, &until),
			 CTMON_OK);
	assert_int_equal(until, 0);
	assert_int_equal(ctm_store_name_covered_until(f->s, "*.example.com",
						      exact.issuance_id, 200,
						      &until),
			 CTMON_OK);
	assert_int_equal(until, 1000);
}

static void test_unknown_times_stored_as_null(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result r;
	struct ctmon_cert c;
	struct ctm_cert_in in;
	char *names[] = {(char *)"n.example.com", NULL};

	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	c.crtsh_id = 77;
	c.issuer_dn = "CN=x";
	c.serial = "01";
	c.log_index = -1;
	c.is_precert = -1;
	memset(&in, 0, sizeof in);
	in.src = &c;
	in.names = names;
	in.n_names = 1;
	assert_int_equal(ctm_store_ingest(f->s, &in, 1, &r), CTMON_OK);
	/* Unknown validity must not look like "expired in 1970". */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM issuances "
					"WHERE not_after IS NULL"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM certificates "
					"WHERE is_precert IS NULL AND "
					"entry_timestamp IS NULL"),
			 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_dedup_by_crtsh_id),
		T(test_precert_cert_pair),
		T(test_crtsh_and_log_are_one_issuance),
		T(test_pair_by_issuer_dn_spellings),
		T(test_pair_by_tbs_hash_and_validity),
		T(test_dedup_by_log_entry_and_fingerprint),
		T(test_names_union),
		T(test_issuance_load),
		T(test_subdomain_touch),
		T(test_subdomain_foreach),
		T(test_foreach_issuance_range),
		T(test_foreach_reentrant),
		T(test_name_covered_until),
		T(test_unknown_times_stored_as_null),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
