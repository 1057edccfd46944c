/* test_store_status.c - the read-only walks behind `ctmon --status` and
 * the report's sources (core/store_status.c). */
#include "store_fixture.h"

#include "util.h"

/* Rows seen by a walk, as "key=value@updated_at" lines. */
struct seen {
	char text[1024];
	int rows;
	int stop_after; /* 0: never stop */
};

static int on_row(void *ctx, const struct ctm_kv_row *row)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof s->text - n, "%s=%s@%lld\n", row->key,
		 row->value, (long long)row->updated_at);
	return ++s->rows == s->stop_after;
}

static int on_domain(void *ctx, const struct ctm_domain_status *d)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof s->text - n,
		 "%s added=%lld baselined=%lld iss=%lld sub=%lld open=%lld\n",
		 d->domain, (long long)d->added_at, (long long)d->baselined_at,
		 (long long)d->issuances, (long long)d->subdomains,
		 (long long)d->open_alerts);
	s->rows++;
	return 0;
}

static int on_count(void *ctx, const char *notifier, const char *status,
		    int64_t count)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof s->text - n, "%s %s %lld\n", notifier,
		 status, (long long)count);
	s->rows++;
	return 0;
}

static int64_t add_alert(struct ctm_store *s, const char *domain,
			 const char *key)
{
	struct ctm_alert_in a = {"new_subdomain", CTMON_SEV_MEDIUM, domain,
				 key, "{}", 0, 0, "check1"};
	int64_t id = 0;
	int ins = 0;

	assert_int_equal(ctm_store_alert_insert(s, &a, 50, &id, &ins),
			 CTMON_OK);
	assert_int_equal(ins, 1);
	return id;
}

static void test_domains_with_counts(void **state)
{
	struct fx *f = *state;
	struct ctm_ingest_result res;
	struct seen s = {{0}, 0, 0};
	int baselined = -1, is_new = 0, changed = 0;
	int64_t acked;

	assert_int_equal(ctm_store_domain_ensure(f->s, "b.com", 20, &baselined),
			 CTMON_OK);
	assert_int_equal(ctm_store_domain_ensure(f->s, "a.com", 10, &baselined),
			 CTMON_OK);
	assert_int_equal(ctm_store_domain_set_baselined(f->s, "a.com", 100),
			 CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &(struct spec){.crtsh_id = 1,
			 .serial = "01", .names = {"www.a.com"}}, 30, &res),
			 CTMON_OK);
	assert_int_equal(ctm_store_subdomain_touch(f->s, "a.com", "www.a.com",
						   res.issuance_id, 30,
						   &is_new),
			 CTMON_OK);
	assert_int_equal(fx_ingest(f->s, &(struct spec){.crtsh_id = 2,
			 .serial = "02", .names = {"x.a.com", "y.a.com"}}, 30,
			 &res), CTMON_OK);
	/* An issuance elsewhere counts for no monitored domain. */
	assert_int_equal(fx_ingest(f->s, &(struct spec){.crtsh_id = 3,
			 .serial = "03", .names = {"nota.com"}}, 30, &res),
			 CTMON_OK);
	add_alert(f->s, "a.com", "k1");
	acked = add_alert(f->s, "a.com", "k2");
	assert_int_equal(ctm_store_alert_ack(f->s, acked, 60, &changed),
			 CTMON_OK);
	assert_int_equal(ctm_store_domain_status_foreach(f->s, on_domain, &s),
			 CTMON_OK);
	assert_string_equal(s.text,
			    "a.com added=10 baselined=100 iss=2 sub=1 open=1\n"
			    "b.com added=20 baselined=0 iss=0 sub=0 open=0\n");
}

static void test_source_ids(void **state)
{
	struct fx *f = *state;
	char **ids = NULL;

	/* An empty store: an empty list, not NULL. */
	assert_int_equal(ctm_store_source_ids(f->s, &ids), CTMON_OK);
	assert_non_null(ids);
	assert_null(ids[0]);
	ctm_strv_free(ids);
	assert_int_equal(ctm_store_kv_put(f->s, "source:x_y", "status.a", "{}",
					  1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "check:c", "status.b", "{}", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "notifier:n", "k", "v", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "z", "k", "v", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "x_y", "k", "v", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_source_ids(f->s, &ids), CTMON_OK);
	assert_int_equal(ctm_strv_len(ids), 2);
	assert_string_equal(ids[0], "x_y");
	assert_string_equal(ids[1], "z");
	ctm_strv_free(ids);
}

static void test_prefix_and_cursors(void **state)
{
	struct fx *f = *state;
	struct seen s = {{0}, 0, 0};

	assert_int_equal(ctm_store_kv_put(f->s, "source:p", "status.b", "2", 7),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "source:p", "status.a", "1", 8),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "source:p", "statusXa", "x", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_put(f->s, "source:q", "status.c", "3", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_kv_foreach_prefix(f->s, "source:p",
						     "status.", on_row, &s),
			 CTMON_OK);
	assert_string_equal(s.text, "status.a=1@8\nstatus.b=2@7\n");
	/* '_' and '%' in a prefix are literal, not LIKE wildcards. */
	memset(&s, 0, sizeof s);
	assert_int_equal(ctm_store_kv_foreach_prefix(f->s, "source:p",
						     "st_tus.", on_row, &s),
			 CTMON_OK);
	assert_int_equal(s.rows, 0);
	/* A callback returning non-zero stops the walk. */
	memset(&s, 0, sizeof s);
	s.stop_after = 1;
	assert_int_equal(ctm_store_kv_foreach_prefix(f->s, "source:p",
						     "status.", on_row, &s),
			 CTMON_OK);
	assert_string_equal(s.text, "status.a=1@8\n");
	memset(&s, 0, sizeof s);
	assert_int_equal(ctm_store_cursor_set(f->s, "p", "log:b", "20", 5),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "p", "log:a", "10", 6),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_set(f->s, "q", "log:c", "30", 6),
			 CTMON_OK);
	assert_int_equal(ctm_store_cursor_foreach(f->s, "p", on_row, &s),
			 CTMON_OK);
	assert_string_equal(s.text, "log:a=10@6\nlog:b=20@5\n");
}

static void test_outbox_counts(void **state)
{
	struct fx *f = *state;
	struct ctm_outbox_batch b;
	struct seen s = {{0}, 0, 0};
	int64_t a1 = add_alert(f->s, "a.com", "k1");
	int64_t a2 = add_alert(f->s, "a.com", "k2");

	assert_int_equal(ctm_store_outbox_enqueue(f->s, a1, "n1", 50), CTMON_OK);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a2, "n1", 50), CTMON_OK);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a1, "n2", 50), CTMON_OK);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a2, "n2", 50), CTMON_OK);
	memset(&b, 0, sizeof b);
	assert_int_equal(ctm_store_outbox_due(f->s, "n1", 100, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(ctm_store_outbox_mark_failed(f->s, b.row_ids[0],
						      "refused"),
			 CTMON_OK);
	ctm_store_outbox_batch_free(&b);
	memset(&b, 0, sizeof b);
	assert_int_equal(ctm_store_outbox_due(f->s, "n2", 100, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(ctm_store_outbox_mark_delivered(f->s, b.row_ids[0],
							 100),
			 CTMON_OK);
	assert_int_equal(ctm_store_outbox_mark_delivered(f->s, b.row_ids[1],
							 100),
			 CTMON_OK);
	ctm_store_outbox_batch_free(&b);
	/* Delivered rows are not counted: n2 has nothing left. */
	assert_int_equal(ctm_store_outbox_count_foreach(f->s, on_count, &s),
			 CTMON_OK);
	assert_string_equal(s.text, "n1 failed 1\nn1 pending 1\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_domains_with_counts),
		T(test_source_ids),
		T(test_prefix_and_cursors),
		T(test_outbox_counts),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
