/* test_http_sink.c - streamed bodies: what a struct ctmon_http_sink sees
 * (begin once per 2xx attempt, every body byte once, end after a whole
 * body), how its return codes abort or retry, and that non-2xx bodies
 * bypass it as capped error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "http_test_support.h"
#include "util.h"

static struct test_server server;

/* What a sink saw, and how it should answer. */
struct recorder {
	int begins;
	int datas;
	int ends;
	long status;
	char content_type[128];
	struct ctm_buf body;
	int fail_data_times; /* data() fails this many attempts ... */
	int data_rc;         /* ... with this rc */
	int fail_end_times;
	int end_rc;
};

static int rec_begin(void *ctx, long status, const char *content_type)
{
	struct recorder *rec = ctx;

	rec->begins++;
	rec->status = status;
	snprintf(rec->content_type, sizeof rec->content_type, "%s",
		 content_type ? content_type : "(null)");
	/* A retry starts over, as a real sink must. */
	ctm_buf_reset(&rec->body);
	return CTMON_OK;
}

static int rec_data(void *ctx, const void *buf, size_t len)
{
	struct recorder *rec = ctx;

	rec->datas++;
	if (rec->fail_data_times > 0) {
		rec->fail_data_times--;
		return rec->data_rc;
	}
	ctm_buf_append(&rec->body, buf, len);
	return rec->body.oom ? CTMON_ENOMEM : CTMON_OK;
}

static int rec_end(void *ctx)
{
	struct recorder *rec = ctx;

	rec->ends++;
	if (rec->fail_end_times > 0) {
		rec->fail_end_times--;
		return rec->end_rc;
	}
	return CTMON_OK;
}

static struct ctmon_http_sink sink_for(struct recorder *rec)
{
	struct ctmon_http_sink s = {sizeof s, rec_begin, rec_data, rec_end,
				    rec};
	return s;
}

static int group_setup(void **state)
{
	(void)state;
	if (ctm_http_global_init(TEST_USER_AGENT) != CTMON_OK)
		return -1;
	return test_server_start(&server);
}

static int group_teardown(void **state)
{
	(void)state;
	test_server_stop(&server);
	ctm_http_global_cleanup();
	return 0;
}

static int rec_setup(void **state)
{
	struct recorder *rec = calloc(1, sizeof *rec);

	if (!rec)
		return -1;
	ctm_buf_init(&rec->body);
	*state = rec;
	return 0;
}

static int rec_teardown(void **state)
{
	struct recorder *rec = *state;

	ctm_buf_free(&rec->body);
	free(rec);
	return 0;
}

static struct ctmon_http_req *sink_req(const char *path,
				       const struct ctmon_http_sink *sink)
{
	char url[512];
	struct ctmon_http_req *r;

	r = ctm_http_new("[test:sink]", "GET",
			 test_url(url, sizeof url, &server, 0, path));
	assert_non_null(r);
	assert_int_equal(ctm_http_set_sink(r, sink), CTMON_OK);
	return r;
}

static void test_sink_gets_exact_bytes_across_chunks(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r =
		sink_req("/chunked?chunks=40&size=997", &sink);
	size_t n = 40 * 997, len = 1;
	unsigned char *expect = malloc(n);

	assert_non_null(expect);
	test_pattern(expect, n);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_int_equal(rec->begins, 1);
	assert_int_equal(rec->status, 200);
	assert_string_equal(rec->content_type, "application/octet-stream");
	assert_true(rec->datas > 1);
	assert_int_equal(rec->ends, 1);
	assert_int_equal(rec->body.len, n);
	assert_memory_equal(rec->body.data, expect, n);
	/* Streamed bodies are not buffered as well. */
	assert_string_equal(ctm_http_body(r, &len), "");
	assert_int_equal(len, 0);
	free(expect);
	ctm_http_free(r);
}

static void test_sink_begin_once_per_attempt(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/big?n=5000", &sink);
	unsigned char expect[5000];

	test_pattern(expect, sizeof expect);
	rec->fail_data_times = 1;
	rec->data_rc = CTMON_EAGAIN;
	assert_int_equal(ctm_http_set_retry(r, 3, 10, 10), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_attempts(r), 2);
	assert_int_equal(rec->begins, 2);
	assert_int_equal(rec->ends, 1);
	assert_int_equal(rec->body.len, sizeof expect);
	assert_memory_equal(rec->body.data, expect, sizeof expect);
	ctm_http_free(r);
}

static void test_sink_retryable_codes(void **state)
{
	static const int codes[] = {CTMON_EAGAIN, CTMON_EFORMAT};
	struct recorder *rec = *state;

	for (size_t i = 0; i < 2; i++) {
		struct ctmon_http_sink sink = sink_for(rec);
		struct ctmon_http_req *r = sink_req("/big?n=3000", &sink);

		rec->begins = 0;
		rec->fail_data_times = 100;
		rec->data_rc = codes[i];
		assert_int_equal(ctm_http_set_retry(r, 2, 5, 5), CTMON_OK);
		/* The last attempt's sink rc is the result. */
		assert_int_equal(ctm_http_perform(r), codes[i]);
		assert_int_equal(ctm_http_attempts(r), 2);
		assert_int_equal(rec->begins, 2);
		assert_non_null(strstr(ctm_http_error(r), "sink"));
		assert_non_null(strstr(ctm_http_error(r), "(attempt 2/2)"));
		ctm_http_free(r);
	}
}

/* EPERMANENT, and EIO: a sink's EIO is a local write failure (a full
 * disk), which downloading the body again cannot fix. */
static void test_sink_other_codes_abort(void **state)
{
	static const int codes[] = {CTMON_EPERMANENT, CTMON_EIO};
	struct recorder *rec = *state;

	for (size_t i = 0; i < 2; i++) {
		struct ctmon_http_sink sink = sink_for(rec);
		struct ctmon_http_req *r = sink_req("/big?n=3000", &sink);

		rec->begins = 0;
		rec->datas = 0;
		rec->ends = 0;
		rec->fail_data_times = 100;
		rec->data_rc = codes[i];
		assert_int_equal(ctm_http_set_retry(r, 3, 5, 5), CTMON_OK);
		assert_int_equal(ctm_http_perform(r), codes[i]);
		assert_int_equal(ctm_http_attempts(r), 1);
		assert_int_equal(rec->begins, 1);
		/* data() was not called again after it refused. */
		assert_int_equal(rec->datas, 1);
		assert_int_equal(rec->ends, 0);
		ctm_http_free(r);
	}
}

static void test_sink_end_failure_retried(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/ok", &sink);

	rec->fail_end_times = 1;
	rec->end_rc = CTMON_EFORMAT;
	assert_int_equal(ctm_http_set_retry(r, 3, 5, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_attempts(r), 2);
	assert_int_equal(rec->begins, 2);
	assert_int_equal(rec->ends, 2);
	assert_string_equal(rec->body.data, "{\"ok\": true}");
	ctm_http_free(r);
}

static void test_sink_empty_body(void **state)
{
	static const char *const paths[] = {"/empty", "/status/204"};
	struct recorder *rec = *state;

	for (size_t i = 0; i < 2; i++) {
		struct ctmon_http_sink sink = sink_for(rec);
		struct ctmon_http_req *r = sink_req(paths[i], &sink);

		memset(rec, 0, offsetof(struct recorder, body));
		assert_int_equal(ctm_http_perform(r), CTMON_OK);
		/* begin() comes at the end when there was no byte. */
		assert_int_equal(rec->begins, 1);
		assert_int_equal(rec->datas, 0);
		assert_int_equal(rec->ends, 1);
		assert_int_equal(rec->status, i == 0 ? 200 : 204);
		ctm_http_free(r);
	}
}

static void test_sink_skipped_for_errors(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/big?n=100000&status=500", &sink);
	unsigned char *expect = malloc(65536);
	size_t len = 0;
	const char *body;

	assert_non_null(expect);
	test_pattern(expect, 65536);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 500);
	assert_int_equal(rec->begins + rec->datas + rec->ends, 0);
	/* Kept as error text, at most 64 KiB. */
	body = ctm_http_body(r, &len);
	assert_int_equal(len, 65536);
	assert_memory_equal(body, expect, 65536);
	free(expect);
	ctm_http_free(r);
}

static void test_sink_after_retried_error_status(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	char path[128], id[64];
	struct ctmon_http_req *r;

	snprintf(path, sizeof path, "/fail-then-ok/1?id=%s",
		 test_unique_id(id, sizeof id, "sink"));
	r = sink_req(path, &sink);
	assert_int_equal(ctm_http_set_retry(r, 2, 5, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_int_equal(ctm_http_attempts(r), 2);
	/* The 500 did not reach the sink; the 200 did. */
	assert_int_equal(rec->begins, 1);
	assert_string_equal(rec->body.data, "recovered");
	ctm_http_free(r);
}

static void test_sink_content_type_passed(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/html", &sink);

	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(rec->content_type, "text/html; charset=utf-8");
	ctm_http_free(r);
}

static void test_sink_not_bound_by_max_body(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/big?n=5000", &sink);

	assert_int_equal(ctm_http_set_max_body(r, 100), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(rec->body.len, 5000);
	ctm_http_free(r);
}

/* A sink whose size stops before `end`: neither end nor ctx are read. */
static int short_begins, short_datas, short_ends, short_bad_ctx;

static int short_begin(void *ctx, long status, const char *ct)
{
	(void)status;
	(void)ct;
	short_bad_ctx |= ctx != NULL;
	short_begins++;
	return CTMON_OK;
}

static int short_data(void *ctx, const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	short_bad_ctx |= ctx != NULL;
	short_datas++;
	return CTMON_OK;
}

static int short_end(void *ctx)
{
	(void)ctx;
	short_ends++;
	return CTMON_EPERMANENT;
}

static void test_sink_size_limits_members(void **state)
{
	struct ctmon_http_sink sink = {offsetof(struct ctmon_http_sink, end),
				       short_begin, short_data, short_end,
				       &sink};
	struct ctmon_http_req *r = sink_req("/ok", &sink);

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(short_begins, 1);
	assert_true(short_datas >= 1);
	assert_int_equal(short_ends, 0);
	assert_int_equal(short_bad_ctx, 0);
	ctm_http_free(r);
}

static void test_sink_cleared(void **state)
{
	struct recorder *rec = *state;
	struct ctmon_http_sink sink = sink_for(rec);
	struct ctmon_http_req *r = sink_req("/ok", &sink);

	assert_int_equal(ctm_http_set_sink(r, NULL), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(rec->begins, 0);
	assert_string_equal(ctm_http_body(r, NULL), "{\"ok\": true}");
	ctm_http_free(r);
}

#define REC_TEST(f) cmocka_unit_test_setup_teardown(f, rec_setup, rec_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		REC_TEST(test_sink_gets_exact_bytes_across_chunks),
		REC_TEST(test_sink_begin_once_per_attempt),
		REC_TEST(test_sink_retryable_codes),
		REC_TEST(test_sink_other_codes_abort),
		REC_TEST(test_sink_end_failure_retried),
		REC_TEST(test_sink_empty_body),
		REC_TEST(test_sink_skipped_for_errors),
		REC_TEST(test_sink_after_retried_error_status),
		REC_TEST(test_sink_content_type_passed),
		REC_TEST(test_sink_not_bound_by_max_body),
		cmocka_unit_test(test_sink_size_limits_members),
		REC_TEST(test_sink_cleared),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
