/* test_store_alerts.c - alerts (unique key, baseline, acknowledgement,
 * filters, JSON) and the outbox. */
#include <json-c/json.h>

#include "store_fixture.h"

static int64_t add_alert(struct ctm_store *s, const char *type,
			 enum ctmon_severity sev, const char *domain,
			 const char *key, const char *details, int baseline,
			 int64_t now, int *inserted)
{
	struct ctm_alert_in a = {type,	  sev, domain,	 key,
				 details, 0,   baseline, "check1"};
	int64_t id = 0;
	int ins = -1;

	assert_int_equal(ctm_store_alert_insert(s, &a, now, &id, &ins),
			 CTMON_OK);
	assert_true(id > 0);
	if (inserted)
		*inserted = ins;
	return id;
}

static void test_alert_unique(void **state)
{
	struct fx *f = *state;
	int ins = -1;
	int64_t a, b, c;

	a = add_alert(f->s, "new_subdomain", CTMON_SEV_MEDIUM, "example.com",
		      "www.example.com", "{\"name\":\"www.example.com\"}", 0,
		      10, &ins);
	assert_int_equal(ins, 1);
	b = add_alert(f->s, "new_subdomain", CTMON_SEV_MEDIUM, "example.com",
		      "www.example.com", "{}", 0, 20, &ins);
	assert_int_equal(ins, 0);
	assert_int_equal(b, a);
	/* Another type, or another domain, with the same key is new. */
	c = add_alert(f->s, "wildcard_certificate", CTMON_SEV_HIGH,
		      "example.com", "www.example.com", NULL, 0, 20, &ins);
	assert_int_equal(ins, 1);
	assert_int_not_equal(c, a);
	add_alert(f->s, "new_subdomain", CTMON_SEV_MEDIUM, "example.org",
		  "www.example.com", NULL, 0, 20, &ins);
	assert_int_equal(ins, 1);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts"), 3);
	/* The first details were kept. */
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts WHERE "
					"details LIKE '%www.example.com%'"),
			 1);
}

static void test_alert_bad_details_refused(void **state)
{
	struct fx *f = *state;
	struct ctm_alert_in a = {
		"x", CTMON_SEV_LOW, "example.com", "k", "[1,2]", 0, 0, "c"};
	int64_t id;
	int ins;

	assert_int_equal(ctm_store_alert_insert(f->s, &a, 1, &id, &ins),
			 CTMON_EINVAL);
	a.details_json = "{\"a\":1} trailing";
	assert_int_equal(ctm_store_alert_insert(f->s, &a, 1, &id, &ins),
			 CTMON_EINVAL);
	a.details_json = "{\"a\":";
	assert_int_equal(ctm_store_alert_insert(f->s, &a, 1, &id, &ins),
			 CTMON_EINVAL);
	a.details_json = "{\"a\":1}\n";
	assert_int_equal(ctm_store_alert_insert(f->s, &a, 1, &id, &ins),
			 CTMON_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM alerts"), 1);
}

struct seen {
	int n;
	int64_t ids[8];
	char json[2048];
	char type[64];
	int baseline;
};

static int collect(void *ctx, const struct ctmon_alert *a)
{
	struct seen *s = ctx;

	if (s->n == 0) {
		snprintf(s->json, sizeof s->json, "%s", a->json);
		snprintf(s->type, sizeof s->type, "%s", a->type);
		s->baseline = a->baseline;
	}
	if (s->n < 8)
		s->ids[s->n] = a->id;
	s->n++;
	return 0;
}

static void list(struct ctm_store *st, const char *domain, const char *type,
		 int min_sev, int state, int limit, struct seen *out)
{
	struct ctm_alert_filter flt = {domain, type, min_sev, state, limit,
				       0};

	memset(out, 0, sizeof *out);
	assert_int_equal(ctm_store_alert_foreach(st, &flt, collect, out),
			 CTMON_OK);
}

static void test_alert_filters_and_ack(void **state)
{
	struct fx *f = *state;
	struct seen s;
	int64_t a1, a2, a3, a4;
	int changed = -1;

	a1 = add_alert(f->s, "new_subdomain", CTMON_SEV_MEDIUM, "example.com",
		       "k1", NULL, 1, 100, NULL);
	a2 = add_alert(f->s, "unauthorized_ca", CTMON_SEV_CRITICAL,
		       "example.com", "k2", NULL, 0, 200, NULL);
	a3 = add_alert(f->s, "new_subdomain", CTMON_SEV_MEDIUM, "example.org",
		       "k3", NULL, 0, 300, NULL);
	a4 = add_alert(f->s, "certificate_expiring", CTMON_SEV_LOW,
		       "example.com", "k4", NULL, 0, 300, NULL);

	list(f->s, NULL, NULL, -1, 0, 0, &s);
	assert_int_equal(s.n, 4);
	/* Newest first; same time: higher id first. */
	assert_int_equal(s.ids[0], a4);
	assert_int_equal(s.ids[1], a3);
	assert_int_equal(s.ids[2], a2);
	assert_int_equal(s.ids[3], a1);

	list(f->s, "example.com", NULL, -1, 0, 0, &s);
	assert_int_equal(s.n, 3);
	list(f->s, NULL, "new_subdomain", -1, 0, 0, &s);
	assert_int_equal(s.n, 2);
	list(f->s, NULL, NULL, CTMON_SEV_HIGH, 0, 0, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], a2);
	list(f->s, NULL, NULL, -1, 0, 2, &s);
	assert_int_equal(s.n, 2);
	list(f->s, "example.com", "new_subdomain", -1, 0, 0, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.baseline, 1);

	assert_int_equal(ctm_store_alert_ack(f->s, a2, 500, &changed),
			 CTMON_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(ctm_store_alert_ack(f->s, a2, 600, &changed),
			 CTMON_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(fx_count(f->s, "SELECT acknowledged_at FROM alerts "
					"WHERE type = 'unauthorized_ca'"),
			 500);
	assert_int_equal(ctm_store_alert_ack(f->s, 12345, 600, &changed),
			 CTMON_ENOTFOUND);

	list(f->s, NULL, NULL, -1, 1, 0, &s);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < s.n; i++)
		assert_int_not_equal(s.ids[i], a2);
	list(f->s, NULL, NULL, -1, 2, 0, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], a2);

	/* NULL filter = everything. */
	memset(&s, 0, sizeof s);
	assert_int_equal(ctm_store_alert_foreach(f->s, NULL, collect, &s),
			 CTMON_OK);
	assert_int_equal(s.n, 4);
}

static void test_alert_json(void **state)
{
	struct fx *f = *state;
	struct json_object *o, *v, *d;
	struct seen s;
	int64_t id;
	int changed;

	id = add_alert(f->s, "unauthorized_ca", CTMON_SEV_CRITICAL,
		       "example.com", "ca:\"quoted\"\n",
		       "{\"issuer\":\"C=US, O=\\\"DigiCert, Inc.\\\"\","
		       "\"crtsh_ids\":[1,2]}",
		       1, 1700000000, NULL);
	assert_int_equal(ctm_store_alert_ack(f->s, id, 1700000100, &changed),
			 CTMON_OK);
	list(f->s, NULL, NULL, -1, 0, 0, &s);
	assert_int_equal(s.n, 1);
	o = json_tokener_parse(s.json);
	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	assert_true(json_object_object_get_ex(o, "id", &v));
	assert_int_equal(json_object_get_int64(v), id);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_string_equal(json_object_get_string(v), "unauthorized_ca");
	assert_true(json_object_object_get_ex(o, "severity", &v));
	assert_string_equal(json_object_get_string(v), "critical");
	assert_true(json_object_object_get_ex(o, "domain", &v));
	assert_string_equal(json_object_get_string(v), "example.com");
	assert_true(json_object_object_get_ex(o, "key", &v));
	assert_string_equal(json_object_get_string(v), "ca:\"quoted\"\n");
	assert_true(json_object_object_get_ex(o, "created_at", &v));
	assert_string_equal(json_object_get_string(v), "2023-11-14T22:13:20Z");
	assert_true(json_object_object_get_ex(o, "baseline", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "acknowledged", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "details", &d));
	assert_true(json_object_is_type(d, json_type_object));
	assert_true(json_object_object_get_ex(d, "issuer", &v));
	assert_string_equal(json_object_get_string(v),
			    "C=US, O=\"DigiCert, Inc.\"");
	assert_true(json_object_object_get_ex(d, "crtsh_ids", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(o);
}

/* ---- outbox ---- */

static void test_outbox_flow(void **state)
{
	struct fx *f = *state;
	struct ctm_outbox_batch b;
	int64_t a1, a2;

	a1 = add_alert(f->s, "t", CTMON_SEV_HIGH, "example.com", "1", NULL, 0,
		       10, NULL);
	a2 = add_alert(f->s, "t", CTMON_SEV_HIGH, "example.com", "2", NULL, 0,
		       10, NULL);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a1, "webhook", 10),
			 CTMON_OK);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a1, "webhook", 11),
			 CTMON_OK); /* duplicate ignored */
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a2, "webhook", 10),
			 CTMON_OK);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a1, "stdout", 10),
			 CTMON_OK);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM outbox"), 3);

	/* Not due before it was queued. */
	assert_int_equal(ctm_store_outbox_due(f->s, "webhook", 9, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 0);
	ctm_store_outbox_batch_free(&b);

	assert_int_equal(ctm_store_outbox_due(f->s, "webhook", 10, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.alerts[0]->id, a1); /* oldest first */
	assert_int_equal(b.alerts[1]->id, a2);
	assert_string_equal(b.alerts[0]->key, "1");
	assert_non_null(strstr(b.alerts[0]->json, "\"key\":\"1\""));
	assert_string_equal(b.alerts[0]->details_json, "{}");
	/* Retry the first, deliver the second. */
	assert_int_equal(ctm_store_outbox_mark_retry(f->s, b.row_ids[0], 100,
						     "HTTP 503"),
			 CTMON_OK);
	assert_int_equal(
		ctm_store_outbox_mark_delivered(f->s, b.row_ids[1], 20),
		CTMON_OK);
	ctm_store_outbox_batch_free(&b);
	assert_null(b.alerts);

	assert_int_equal(ctm_store_outbox_due(f->s, "webhook", 50, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 0);
	ctm_store_outbox_batch_free(&b);
	assert_int_equal(ctm_store_outbox_due(f->s, "webhook", 100, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.alerts[0]->id, a1);
	assert_int_equal(fx_count(f->s, "SELECT attempts FROM outbox WHERE "
					"last_error = 'HTTP 503'"),
			 1);
	assert_int_equal(
		ctm_store_outbox_mark_failed(f->s, b.row_ids[0], "HTTP 400"),
		CTMON_OK);
	ctm_store_outbox_batch_free(&b);
	assert_int_equal(ctm_store_outbox_due(f->s, "webhook", 1000, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 0);
	ctm_store_outbox_batch_free(&b);
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM outbox WHERE "
					"status = 'failed' AND attempts = 2"),
			 1);
	assert_int_equal(fx_count(f->s, "SELECT delivered_at FROM outbox "
					"WHERE status = 'delivered'"),
			 20);

	/* The other notifier still has its own row. */
	assert_int_equal(ctm_store_outbox_due(f->s, "stdout", 1000, 10, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 1);
	ctm_store_outbox_batch_free(&b);
	assert_int_equal(ctm_store_outbox_mark_delivered(f->s, 999999, 1),
			 CTMON_ENOTFOUND);
}

static void test_outbox_limit_and_ack(void **state)
{
	struct fx *f = *state;
	struct ctm_outbox_batch b;
	int64_t ids[5];
	char key[16];
	int changed;

	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof key, "k%d", i);
		ids[i] = add_alert(f->s, "t", CTMON_SEV_LOW, "example.com", key,
				   NULL, 0, 1, NULL);
		assert_int_equal(ctm_store_outbox_enqueue(f->s, ids[i], "n", 1),
				 CTMON_OK);
	}
	assert_int_equal(ctm_store_outbox_due(f->s, "n", 5, 2, &b), CTMON_OK);
	assert_int_equal(b.n, 2);
	ctm_store_outbox_batch_free(&b);

	/* Acknowledged alerts are not sent any more. */
	assert_int_equal(ctm_store_alert_ack(f->s, ids[0], 2, &changed),
			 CTMON_OK);
	assert_int_equal(ctm_store_alert_ack(f->s, ids[3], 2, &changed),
			 CTMON_OK);
	assert_int_equal(ctm_store_outbox_due(f->s, "n", 5, 0, &b), CTMON_OK);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.alerts[0]->id, ids[1]);
	assert_int_equal(b.alerts[1]->id, ids[2]);
	assert_int_equal(b.alerts[2]->id, ids[4]);
	ctm_store_outbox_batch_free(&b);
}

static void test_outbox_print(void **state)
{
	struct fx *f = *state;
	struct ctm_outbox_batch b;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int64_t a;

	a = add_alert(f->s, "wildcard_certificate", CTMON_SEV_HIGH,
		      "example.com", "x", NULL, 0, 1, NULL);
	assert_int_equal(ctm_store_outbox_enqueue(f->s, a, "mail", 1),
			 CTMON_OK);
	assert_int_equal(ctm_store_outbox_due(f->s, "mail", 1, 1, &b),
			 CTMON_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(ctm_store_outbox_mark_retry(f->s, b.row_ids[0],
						     1700000000,
						     "connection refused"),
			 CTMON_OK);
	ctm_store_outbox_batch_free(&b);
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	ctm_store_outbox_print(f->s, fp);
	fclose(fp);
	assert_non_null(strstr(text, "wildcard_certificate"));
	assert_non_null(strstr(text, "mail"));
	assert_non_null(strstr(text, "pending"));
	assert_non_null(strstr(text, "2023-11-14T22:13:20Z"));
	assert_non_null(strstr(text, "connection refused"));
	free(text);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_alert_unique),
		T(test_alert_bad_details_refused),
		T(test_alert_filters_and_ack),
		T(test_alert_json),
		T(test_outbox_flow),
		T(test_outbox_limit_and_ack),
		T(test_outbox_print),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
