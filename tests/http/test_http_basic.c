/* test_http_basic.c - the HTTP client against the local test server:
 * buffered bodies, status, response and request headers, methods,
 * the body cap and argument checks (redirects: test_http_redirect.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "http.h"
#include "http_test_support.h"

static struct test_server server;

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

static struct ctmon_http_req *req(const char *method, const char *path)
{
	char url[512];
	struct ctmon_http_req *r;

	r = ctm_http_new("[test:http]", method,
			 test_url(url, sizeof url, &server, 0, path));
	assert_non_null(r);
	return r;
}

static void test_get_buffers_body_and_status(void **state)
{
	struct ctmon_http_req *r = req("GET", "/ok");
	size_t len = 99;

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_body(r, &len), "{\"ok\": true}");
	assert_int_equal(len, 12);
	assert_int_equal(ctm_http_attempts(r), 1);
	assert_string_equal(ctm_http_error(r), "");
	ctm_http_free(r);
}

static void test_header_lookup(void **state)
{
	struct ctmon_http_req *r = req("GET", "/ok");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	/* Case-insensitive, last value wins, value trimmed. */
	assert_string_equal(ctm_http_header(r, "x-test"), "two");
	assert_string_equal(ctm_http_header(r, "X-TEST"), "two");
	assert_string_equal(ctm_http_header(r, "content-type"),
			    "application/json");
	assert_string_equal(ctm_http_header(r, "X-Spaced"), "padded value");
	assert_string_equal(ctm_http_header(r, "Content-Length"), "12");
	assert_null(ctm_http_header(r, "X-Absent"));
	assert_null(ctm_http_header(r, "X-Tes"));
	ctm_http_free(r);
}

static void test_folded_header_joined(void **state)
{
	struct ctmon_http_req *r = req("GET", "/folded");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(ctm_http_header(r, "X-Folded"), "second third");
	assert_string_equal(ctm_http_header(r, "X-Other"), "x");
	ctm_http_free(r);
}

static void test_request_headers_sent(void **state)
{
	struct ctmon_http_req *r = req("GET", "/headers");
	json_object *root, *v;

	(void)state;
	assert_int_equal(ctm_http_set_header(r, "X-Custom: forty two"),
			 CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	root = json_tokener_parse(ctm_http_body(r, NULL));
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "user-agent", &v));
	assert_string_equal(json_object_get_string(v), TEST_USER_AGENT);
	assert_true(json_object_object_get_ex(root, "x-custom", &v));
	assert_string_equal(json_object_get_string(v), "forty two");
	/* CURLOPT_ACCEPT_ENCODING "" offers every decoder libcurl has. */
	assert_true(json_object_object_get_ex(root, "accept-encoding", &v));
	assert_non_null(strstr(json_object_get_string(v), "gzip"));
	json_object_put(root);
	ctm_http_free(r);
}

static void test_gzip_body_decoded(void **state)
{
	struct ctmon_http_req *r = req("GET", "/gzip?n=20000");
	unsigned char expect[20000];
	size_t len = 0;
	const char *body;

	(void)state;
	test_pattern(expect, sizeof expect);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(ctm_http_header(r, "Content-Encoding"), "gzip");
	body = ctm_http_body(r, &len);
	assert_int_equal(len, sizeof expect);
	assert_memory_equal(body, expect, sizeof expect);
	ctm_http_free(r);
}

static void test_post_body_with_100_continue(void **state)
{
	struct ctmon_http_req *r = req("POST", "/echo");
	unsigned char payload[3000];
	size_t len = 0;

	(void)state;
	test_pattern(payload, sizeof payload);
	assert_int_equal(ctm_http_set_body(r, payload, sizeof payload),
			 CTMON_OK);
	/* The interim "100 Continue" response must not count as final. */
	assert_int_equal(ctm_http_set_header(r, "Expect: 100-continue"),
			 CTMON_OK);
	memset(payload, 0, sizeof payload); /* the body was copied */
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_header(r, "X-Method"), "POST");
	test_pattern(payload, sizeof payload);
	assert_memory_equal(ctm_http_body(r, &len), payload, sizeof payload);
	assert_int_equal(len, sizeof payload);
	ctm_http_free(r);
}

static void test_put_and_empty_post(void **state)
{
	struct ctmon_http_req *r = req("PUT", "/echo");
	size_t len = 1;

	(void)state;
	assert_int_equal(ctm_http_set_body(r, "abc", 3), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(ctm_http_header(r, "X-Method"), "PUT");
	assert_string_equal(ctm_http_body(r, NULL), "abc");
	ctm_http_free(r);

	r = req("POST", "/echo");
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(ctm_http_header(r, "X-Method"), "POST");
	ctm_http_body(r, &len);
	assert_int_equal(len, 0);
	ctm_http_free(r);
}

static void test_head_has_no_body(void **state)
{
	struct ctmon_http_req *r = req("HEAD", "/ok");
	size_t len = 1;

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_header(r, "Content-Length"), "12");
	assert_string_equal(ctm_http_body(r, &len), "");
	assert_int_equal(len, 0);
	ctm_http_free(r);
}

static void test_other_schemes_rejected(void **state)
{
	struct ctmon_http_req *r =
		ctm_http_new("[test:http]", "GET", "file:///etc/passwd");

	(void)state;
	assert_non_null(r);
	assert_int_equal(ctm_http_perform(r), CTMON_EINVAL);
	assert_non_null(strstr(ctm_http_error(r), "file:///etc/passwd"));
	assert_int_equal(ctm_http_status(r), 0);
	ctm_http_free(r);
}

static void test_body_cap(void **state)
{
	struct ctmon_http_req *r = req("GET", "/big?n=5000");
	size_t len = 0;

	(void)state;
	assert_int_equal(ctm_http_set_max_body(r, 1000), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EFORMAT);
	assert_non_null(
		strstr(ctm_http_error(r), "response body exceeds 1000 bytes"));
	ctm_http_free(r);

	r = req("GET", "/big?n=1000");
	assert_int_equal(ctm_http_set_max_body(r, 1000), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	ctm_http_body(r, &len);
	assert_int_equal(len, 1000);
	ctm_http_free(r);
}

static void test_default_body_cap_is_16_mib(void **state)
{
	struct ctmon_http_req *r = req("GET", "/big?n=16777217");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_EFORMAT);
	assert_non_null(strstr(ctm_http_error(r),
			       "response body exceeds 16777216 bytes"));
	ctm_http_free(r);
}

static void test_error_status_is_a_response(void **state)
{
	struct ctmon_http_req *r = req("GET", "/status/404");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 404);
	assert_string_equal(ctm_http_body(r, NULL), "status 404");
	assert_string_equal(ctm_http_error(r), "");
	ctm_http_free(r);
}

static void test_content_type_of_html(void **state)
{
	struct ctmon_http_req *r = req("GET", "/html");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_string_equal(ctm_http_header(r, "Content-Type"),
			    "text/html; charset=utf-8");
	ctm_http_free(r);
}

static int dummy_data(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return CTMON_OK;
}

static void test_argument_checks(void **state)
{
	struct ctmon_http_req *r = req("GET", "/ok");
	struct ctmon_http_sink sink = {sizeof sink, NULL, NULL, NULL, NULL};

	(void)state;
	assert_null(ctm_http_new("[t]", "GE T", "http://127.0.0.1/"));
	assert_null(ctm_http_new("[t]", "GET\r\nX: y", "http://127.0.0.1/"));
	assert_null(ctm_http_new("[t]", "", "http://127.0.0.1/"));
	assert_null(ctm_http_new("[t]", "GET", NULL));
	assert_int_equal(ctm_http_set_header(r, "X-A: b\r\nX-Evil: 1"),
			 CTMON_EINVAL);
	assert_int_equal(ctm_http_set_header(r, ""), CTMON_EINVAL);
	assert_int_equal(ctm_http_set_body(r, NULL, 3), CTMON_EINVAL);
	assert_int_equal(ctm_http_set_timeout_ms(r, 0), CTMON_EINVAL);
	assert_int_equal(ctm_http_set_retry(r, 0, 10, 100), CTMON_EINVAL);
	assert_int_equal(ctm_http_set_retry(r, 2, -1, 100), CTMON_EINVAL);
	/* A sink without data() is no sink. */
	assert_int_equal(ctm_http_set_sink(r, &sink), CTMON_EINVAL);
	sink.data = dummy_data;
	sink.size = offsetof(struct ctmon_http_sink, data);
	assert_int_equal(ctm_http_set_sink(r, &sink), CTMON_EINVAL);
	assert_int_equal(ctm_http_perform(NULL), CTMON_EINVAL);
	assert_int_equal(ctm_http_status(NULL), 0);
	assert_string_equal(ctm_http_error(NULL), "");
	/* The rejected setters left a working request. */
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	ctm_http_free(r);
	ctm_http_free(NULL);
}

static void test_request_can_be_performed_twice(void **state)
{
	struct ctmon_http_req *r = req("GET", "/ok");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_attempts(r), 1);
	assert_string_equal(ctm_http_body(r, NULL), "{\"ok\": true}");
	assert_string_equal(ctm_http_header(r, "X-Test"), "two");
	ctm_http_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_buffers_body_and_status),
		cmocka_unit_test(test_header_lookup),
		cmocka_unit_test(test_folded_header_joined),
		cmocka_unit_test(test_request_headers_sent),
		cmocka_unit_test(test_gzip_body_decoded),
		cmocka_unit_test(test_post_body_with_100_continue),
		cmocka_unit_test(test_put_and_empty_post),
		cmocka_unit_test(test_head_has_no_body),
		cmocka_unit_test(test_other_schemes_rejected),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_default_body_cap_is_16_mib),
		cmocka_unit_test(test_error_status_is_a_response),
		cmocka_unit_test(test_content_type_of_html),
		cmocka_unit_test(test_argument_checks),
		cmocka_unit_test(test_request_can_be_performed_twice),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
