/* test_http_retry.c - the retry policy and failures of the HTTP client:
 * which statuses and errors are retried, max attempts, Retry-After,
 * timeouts, refused and dropped connections, TLS verification, stop
 * requests and the WARN line logged for each retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http.h"
#include "http_test_support.h"
#include "util.h"

static struct test_server server;

static int group_setup(void **state)
{
	(void)state;
	if (ctm_http_global_init(TEST_USER_AGENT) != CTMON_OK)
		return -1;
	ctm_http_set_stop_check(test_stop_check);
	return test_server_start(&server);
}

static int group_teardown(void **state)
{
	(void)state;
	test_server_stop(&server);
	ctm_http_set_stop_check(NULL);
	ctm_http_global_cleanup();
	return 0;
}

/* A request for path + "?id=<fresh id>" (or "&id=" when path has a
 * query); the id is written to id. */
static struct ctmon_http_req *req_with_id(const char *path, char *id,
					  size_t id_len)
{
	char full[512], url[600];
	struct ctmon_http_req *r;

	test_unique_id(id, id_len, "retry");
	snprintf(full, sizeof full, "%s%cid=%s", path,
		 strchr(path, '?') ? '&' : '?', id);
	r = ctm_http_new("[test:http]", "GET",
			 test_url(url, sizeof url, &server, 0, full));
	assert_non_null(r);
	return r;
}

static void test_fail_then_ok_is_retried(void **state)
{
	char id[64];
	struct ctmon_http_req *r =
		req_with_id("/fail-then-ok/2", id, sizeof id);

	(void)state;
	assert_int_equal(ctm_http_set_retry(r, 3, 10, 50), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_body(r, NULL), "recovered");
	assert_string_equal(ctm_http_header(r, "X-Attempt"), "3");
	assert_int_equal(ctm_http_attempts(r), 3);
	assert_int_equal(test_server_count(&server, id), 3);
	ctm_http_free(r);
}

static void test_max_attempts_respected(void **state)
{
	static const char *const paths[] = {"/status/503", "/status/429",
					    "/status/408", "/status/500",
					    "/status/502", "/status/504"};

	(void)state;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char id[64];
		struct ctmon_http_req *r = req_with_id(paths[i], id, sizeof id);
		int64_t status;

		assert_int_equal(ctm_parse_int64(paths[i] + 8, &status), 0);
		assert_int_equal(ctm_http_set_retry(r, 3, 5, 20), CTMON_OK);
		/* The last answer is still a response: the caller reads it. */
		assert_int_equal(ctm_http_perform(r), CTMON_OK);
		assert_int_equal(ctm_http_status(r), status);
		assert_int_equal(ctm_http_attempts(r), 3);
		assert_int_equal(test_server_count(&server, id), 3);
		ctm_http_free(r);
	}
}

static void test_default_is_one_attempt(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/status/503", id, sizeof id);

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 503);
	assert_int_equal(ctm_http_attempts(r), 1);
	assert_int_equal(test_server_count(&server, id), 1);
	ctm_http_free(r);
}

static void test_other_statuses_not_retried(void **state)
{
	static const char *const paths[] = {"/status/404", "/status/501",
					    "/status/400", "/ok"};

	(void)state;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char id[64];
		struct ctmon_http_req *r = req_with_id(paths[i], id, sizeof id);

		assert_int_equal(ctm_http_set_retry(r, 3, 5, 20), CTMON_OK);
		assert_int_equal(ctm_http_perform(r), CTMON_OK);
		assert_int_equal(ctm_http_attempts(r), 1);
		assert_int_equal(test_server_count(&server, id), 1);
		ctm_http_free(r);
	}
}

static void test_retry_after_seconds_honoured(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/retry-after/1", id, sizeof id);
	int64_t start;

	(void)state;
	/* base 1 ms: only Retry-After can make this wait a second. */
	assert_int_equal(ctm_http_set_retry(r, 2, 1, 5000), CTMON_OK);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_true(test_now_ms() - start >= 1000);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_body(r, NULL), "finally");
	assert_int_equal(test_server_count(&server, id), 2);
	ctm_http_free(r);
}

static void test_retry_after_http_date_honoured(void **state)
{
	char id[64];
	struct ctmon_http_req *r =
		req_with_id("/retry-after-date/1", id, sizeof id);
	int64_t start;

	(void)state;
	/* The date is 2 s ahead, in whole seconds: at least 1 s of wait. */
	assert_int_equal(ctm_http_set_retry(r, 2, 1, 10000), CTMON_OK);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_true(test_now_ms() - start >= 1000);
	assert_int_equal(ctm_http_status(r), 200);
	assert_int_equal(test_server_count(&server, id), 2);
	ctm_http_free(r);
}

static void test_retry_after_capped_at_max(void **state)
{
	char id[64];
	struct ctmon_http_req *r =
		req_with_id("/retry-after/1?secs=30", id, sizeof id);
	int64_t start;

	(void)state;
	assert_int_equal(ctm_http_set_retry(r, 2, 1, 200), CTMON_OK);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	/* Far below the 30 s the server asked for. */
	assert_true(test_now_ms() - start < 15000);
	assert_int_equal(ctm_http_status(r), 200);
	assert_int_equal(ctm_http_attempts(r), 2);
	ctm_http_free(r);
}

static void test_backoff_waits_between_attempts(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/status/500", id, sizeof id);
	int64_t start;

	(void)state;
	/* Delays 400*[0.5,1] + 800*[0.5,1]: at least 600 ms in all. */
	assert_int_equal(ctm_http_set_retry(r, 3, 400, 10000), CTMON_OK);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_true(test_now_ms() - start >= 600);
	assert_int_equal(ctm_http_attempts(r), 3);
	ctm_http_free(r);
}

static void test_timeout_is_etimedout(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/slow?ms=3000", id, sizeof id);

	(void)state;
	assert_int_equal(ctm_http_set_timeout_ms(r, 300), CTMON_OK);
	assert_int_equal(ctm_http_set_retry(r, 2, 10, 10), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_ETIMEDOUT);
	assert_int_equal(ctm_http_attempts(r), 2);
	assert_non_null(strstr(ctm_http_error(r), "GET http://127.0.0.1:"));
	/* The path shows; the query (it may hold a secret) does not. */
	assert_non_null(strstr(ctm_http_error(r), "/slow?..."));
	assert_null(strstr(ctm_http_error(r), id));
	assert_non_null(strstr(ctm_http_error(r),
			       ": timed out after 300 ms (attempt 2/2)"));
	assert_int_equal(test_server_count(&server, id), 2);
	ctm_http_free(r);
}

static void test_connection_refused_is_eio(void **state)
{
	char url[128];
	int fd, port = test_refusing_port(&fd);
	struct ctmon_http_req *r;

	(void)state;
	assert_true(port > 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/nothing", port);
	r = ctm_http_new("[test:http]", "GET", url);
	assert_non_null(r);
	assert_int_equal(ctm_http_set_retry(r, 2, 10, 10), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EIO);
	assert_int_equal(ctm_http_attempts(r), 2);
	assert_int_equal(ctm_http_status(r), 0);
	assert_non_null(strstr(ctm_http_error(r), url));
	assert_non_null(strstr(ctm_http_error(r), "connection failed"));
	assert_non_null(strstr(ctm_http_error(r), "(attempt 2/2)"));
	ctm_http_free(r);
	close(fd);
}

static void test_dropped_connection_retried(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/drop", id, sizeof id);

	(void)state;
	assert_int_equal(ctm_http_set_retry(r, 3, 10, 20), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EIO);
	assert_int_equal(ctm_http_attempts(r), 3);
	assert_int_equal(test_server_count(&server, id), 3);
	ctm_http_free(r);
}

static void test_self_signed_certificate_rejected(void **state)
{
	char url[256], id[64], path[128];
	int64_t failures_before = test_server_tls_failures(&server);
	struct ctmon_http_req *r;

	(void)state;
	assert_true(failures_before >= 0);
	test_unique_id(id, sizeof id, "tls");
	snprintf(path, sizeof path, "/ok?id=%s", id);
	r = ctm_http_new("[test:http]", "GET",
			 test_url(url, sizeof url, &server, 1, path));
	assert_non_null(r);
	assert_int_equal(ctm_http_set_retry(r, 3, 10, 10), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EIO);
	assert_non_null(strstr(ctm_http_error(r), "https://127.0.0.1:"));
	assert_non_null(strstr(ctm_http_error(r), "certificate"));
	/* A bad certificate is not retried, and no request got through. */
	assert_int_equal(ctm_http_attempts(r), 1);
	assert_int_equal(test_server_count(&server, id), 0);
	/* The TLS listener was up and saw the handshake fail. */
	assert_true(test_server_tls_failures(&server) > failures_before);
	ctm_http_free(r);
}

static void test_retry_logged_at_warn(void **state)
{
	char id[64];
	struct ctmon_http_req *r =
		req_with_id("/fail-then-ok/1", id, sizeof id);
	char *log;

	(void)state;
	assert_int_equal(ctm_http_set_retry(r, 2, 10, 10), CTMON_OK);
	assert_int_equal(test_stderr_begin(), 0);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	log = test_stderr_end();
	assert_non_null(log);
	assert_non_null(strstr(log, "WARN"));
	assert_non_null(strstr(log, "[test:http]"));
	assert_non_null(strstr(log, "/fail-then-ok/1?..."));
	assert_null(strstr(log, id));
	assert_non_null(strstr(log, "HTTP 500"));
	assert_non_null(strstr(log, "(attempt 1/2)"));
	assert_non_null(strstr(log, "retrying in "));
	/* One retry, one line. */
	assert_null(strstr(strstr(log, "retrying in ") + 1, "retrying in "));
	free(log);
	ctm_http_free(r);
}

static void test_stop_interrupts_backoff(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/status/503", id, sizeof id);
	int64_t start;

	(void)state;
	/* Backoff of 10 s; the stop comes after 300 ms. */
	assert_int_equal(ctm_http_set_retry(r, 3, 10000, 10000), CTMON_OK);
	assert_int_equal(test_stop_after_ms(300), 0);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_ESTOPPED);
	assert_true(test_now_ms() - start < 4000);
	test_stop_join();
	assert_int_equal(ctm_http_attempts(r), 1);
	assert_non_null(strstr(ctm_http_error(r), "stopped"));
	assert_int_equal(test_server_count(&server, id), 1);
	ctm_http_free(r);
}

static void test_stop_aborts_transfer(void **state)
{
	char id[64];
	struct ctmon_http_req *r = req_with_id("/slow?ms=8000", id, sizeof id);
	int64_t start;

	(void)state;
	assert_int_equal(ctm_http_set_timeout_ms(r, 20000), CTMON_OK);
	assert_int_equal(test_stop_after_ms(300), 0);
	start = test_now_ms();
	assert_int_equal(ctm_http_perform(r), CTMON_ESTOPPED);
	/* Well before the server would have answered. */
	assert_true(test_now_ms() - start < 6000);
	test_stop_join();
	assert_non_null(strstr(ctm_http_error(r), "stopped"));
	ctm_http_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_then_ok_is_retried),
		cmocka_unit_test(test_max_attempts_respected),
		cmocka_unit_test(test_default_is_one_attempt),
		cmocka_unit_test(test_other_statuses_not_retried),
		cmocka_unit_test(test_retry_after_seconds_honoured),
		cmocka_unit_test(test_retry_after_http_date_honoured),
		cmocka_unit_test(test_retry_after_capped_at_max),
		cmocka_unit_test(test_backoff_waits_between_attempts),
		cmocka_unit_test(test_timeout_is_etimedout),
		cmocka_unit_test(test_connection_refused_is_eio),
		cmocka_unit_test(test_dropped_connection_retried),
		cmocka_unit_test(test_self_signed_certificate_rejected),
		cmocka_unit_test(test_retry_logged_at_warn),
		cmocka_unit_test(test_stop_interrupts_backoff),
		cmocka_unit_test(test_stop_aborts_transfer),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
