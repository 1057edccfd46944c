/* test_http_redirect.c - redirects against the local test server: refused
 * unless asked for, never for a POST, never https to http, the request's
 * own headers never sent to another origin; and URLs redacted in every
 * error text and log line. */
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

/* A Slack-shaped secret path and a query that must never show. */
#define SECRET_PATH "/services/T0AB12CD3/B0XYZ9876/Zq8xW3vR7tY2uP5sK1mN4bVc"
#define SECRET_QUERY "token=s3cr3t-query"

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

static struct ctmon_http_req *req(const char *method, int tls,
				  const char *path)
{
	char url[1024];
	struct ctmon_http_req *r;

	r = ctm_http_new("[test:http]", method,
			 test_url(url, sizeof url, &server, tls, path));
	assert_non_null(r);
	if (tls) {
		char cert[128];
		assert_int_equal(ctm_http_set_ca_file(
					 r, test_server_cert(cert, sizeof cert,
							     &server)),
				 CTMON_OK);
	}
	return r;
}

/* "/redirect-to?code=<code>&url=<to>" with `to` percent-encoded enough for
 * the server's query parser. */
static const char *redirect_path(char *buf, size_t len, int code,
				 const char *to)
{
	size_t n = (size_t)snprintf(buf, len, "/redirect-to?code=%d&url=",
				    code);

	for (; *to && n + 4 < len; to++) {
		if (*to == '&' || *to == '?' || *to == '=' || *to == '%')
			n += (size_t)snprintf(buf + n, len - n, "%%%02X",
					      (unsigned char)*to);
		else
			buf[n++] = *to;
	}
	buf[n] = '\0';
	return buf;
}

static void assert_no_secret(const char *text)
{
	assert_null(strstr(text, "T0AB12CD3"));
	assert_null(strstr(text, "B0XYZ9876"));
	assert_null(strstr(text, "Zq8xW3vR7"));
	assert_null(strstr(text, "s3cr3t"));
}

static void test_refused_by_default(void **state)
{
	struct ctmon_http_req *r = req("GET", 0, "/redirect/1");

	(void)state;
	assert_int_equal(ctm_http_perform(r), CTMON_EPERMANENT);
	assert_int_equal(ctm_http_status(r), 302);
	assert_non_null(strstr(ctm_http_error(r), "HTTP 302 redirect to "));
	assert_non_null(strstr(ctm_http_error(r), "/ok refused"));
	assert_int_equal(ctm_http_attempts(r), 1);
	ctm_http_free(r);
}

static void test_refused_location_is_redacted(void **state)
{
	char to[512], path[1024];
	struct ctmon_http_req *r;

	(void)state;
	snprintf(to, sizeof to, "http://127.0.0.1:%d%s?%s", server.http_port,
		 SECRET_PATH, SECRET_QUERY);
	r = req("GET", 0, redirect_path(path, sizeof path, 307, to));
	assert_int_equal(ctm_http_perform(r), CTMON_EPERMANENT);
	assert_non_null(strstr(ctm_http_error(r), "HTTP 307 redirect to "
						  "http://127.0.0.1:"));
	assert_non_null(strstr(ctm_http_error(r), "/services/..."));
	assert_no_secret(ctm_http_error(r));
	ctm_http_free(r);
}

static void test_followed_when_asked(void **state)
{
	struct ctmon_http_req *r = req("GET", 0, "/redirect/3");

	(void)state;
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	assert_string_equal(ctm_http_body(r, NULL), "{\"ok\": true}");
	/* Headers are those of the final response only. */
	assert_null(ctm_http_header(r, "X-Hop"));
	assert_null(ctm_http_header(r, "Location"));
	assert_string_equal(ctm_http_header(r, "X-Test"), "two");
	ctm_http_free(r);
}

static void test_too_many_redirects(void **state)
{
	struct ctmon_http_req *r = req("GET", 0, "/redirect/6");

	(void)state;
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EIO);
	assert_non_null(strstr(ctm_http_error(r), "/redirect/6"));
	assert_non_null(strstr(ctm_http_error(r), "too many redirects"));
	ctm_http_free(r);

	r = req("GET", 0, "/redirect/5");
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	ctm_http_free(r);
}

static void test_redirect_to_other_scheme_refused(void **state)
{
	static const char *const targets[] = {
		"/redirect-to?url=file:///etc/passwd",
		"/redirect-to?url=ftp://127.0.0.1:9/x",
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ctmon_http_req *r = req("GET", 0, targets[i]);

		assert_int_equal(ctm_http_set_follow_redirects(r, 5),
				 CTMON_OK);
		assert_int_not_equal(ctm_http_perform(r), CTMON_OK);
		assert_non_null(strstr(ctm_http_error(r), "refused"));
		assert_null(strstr(ctm_http_body(r, NULL), "root:"));
		ctm_http_free(r);
	}
}

/* The webhook case: a 307 to another port must not carry the API key or
 * the body there, even when the plugin asked for redirects. */
static void test_post_307_to_other_port_not_followed(void **state)
{
	char id[64], to[256], path[512];
	struct ctmon_http_req *r;

	(void)state;
	test_unique_id(id, sizeof id, "post307");
	snprintf(to, sizeof to, "https://127.0.0.1:%d/echo?id=%s",
		 server.https_port, id);
	r = req("POST", 0, redirect_path(path, sizeof path, 307, to));
	assert_int_equal(ctm_http_set_header(r, "X-Api-Key: k-123"), CTMON_OK);
	assert_int_equal(ctm_http_set_body(r, "{\"alert\":1}", 11), CTMON_OK);
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EPERMANENT);
	assert_int_equal(ctm_http_status(r), 307);
	assert_non_null(strstr(ctm_http_error(r), "only GET and HEAD"));
	assert_int_equal(test_server_count(&server, id), 0);
	ctm_http_free(r);
}

/* A 302 must not turn a POST into a bodiless GET that answers 200. */
static void test_post_302_is_not_a_success(void **state)
{
	char id[64], to[128], path[256];
	struct ctmon_http_req *r;

	(void)state;
	test_unique_id(id, sizeof id, "post302");
	snprintf(to, sizeof to, "/ok?id=%s", id);
	r = req("POST", 0, redirect_path(path, sizeof path, 302, to));
	assert_int_equal(ctm_http_set_body(r, "{}", 2), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EPERMANENT);
	assert_int_equal(ctm_http_status(r), 302);
	assert_int_equal(test_server_count(&server, id), 0);
	ctm_http_free(r);
}

static void test_https_to_http_refused(void **state)
{
	char id[64], to[256], path[512];
	struct ctmon_http_req *r;

	(void)state;
	test_unique_id(id, sizeof id, "downgrade");
	snprintf(to, sizeof to, "http://127.0.0.1:%d/headers?id=%s",
		 server.http_port, id);
	r = req("GET", 1, redirect_path(path, sizeof path, 308, to));
	assert_int_equal(ctm_http_set_header(r, "X-Api-Key: k-123"), CTMON_OK);
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_EPERMANENT);
	assert_int_equal(ctm_http_status(r), 308);
	assert_non_null(strstr(ctm_http_error(r), "https to http"));
	assert_int_equal(test_server_count(&server, id), 0);
	ctm_http_free(r);
}

/* Followed to another origin (here http -> https on another port): the
 * request's own headers stay behind; within the origin they go along. */
static void test_headers_not_sent_to_other_origin(void **state)
{
	char to[256], path[512];
	struct ctmon_http_req *r;
	const char *body;

	(void)state;
	snprintf(to, sizeof to, "https://127.0.0.1:%d/headers",
		 server.https_port);
	r = req("GET", 0, redirect_path(path, sizeof path, 307, to));
	assert_int_equal(ctm_http_set_header(r, "X-Api-Key: k-123"), CTMON_OK);
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	{
		char cert[128];
		assert_int_equal(ctm_http_set_ca_file(
					 r, test_server_cert(cert, sizeof cert,
							     &server)),
				 CTMON_OK);
	}
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_int_equal(ctm_http_status(r), 200);
	body = ctm_http_body(r, NULL);
	assert_non_null(strstr(body, "user-agent"));
	assert_null(strstr(body, "k-123"));
	ctm_http_free(r);

	r = req("GET", 0, "/redirect-to?url=/headers");
	assert_int_equal(ctm_http_set_header(r, "X-Api-Key: k-123"), CTMON_OK);
	assert_int_equal(ctm_http_set_follow_redirects(r, 5), CTMON_OK);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	assert_non_null(strstr(ctm_http_body(r, NULL), "k-123"));
	ctm_http_free(r);
}

static void test_redact_url(void **state)
{
	static const char *const cases[][2] = {
		{"https://hooks.slack.com/services/T024BE7LD/B0123ABCD/"
		 "abcdefghijklmnopqrstuvwx",
		 "https://hooks.slack.com/services/..."},
		{"https://acme.webhook.office.com/webhookb2/"
		 "0f5c1a2b-1111-2222-3333-444455556666@aaaa/IncomingWebhook/x",
		 "https://acme.webhook.office.com/webhookb2/..."},
		{"https://discord.com/api/webhooks/112233445566778899/tok",
		 "https://discord.com/api/webhooks/..."},
		{"https://ct.googleapis.com/logs/us1/argon2025h1/ct/v1/"
		 "get-entries?start=1&end=2",
		 "https://ct.googleapis.com/logs/us1/argon2025h1/ct/v1/"
		 "get-entries?..."},
		{"https://crt.sh/?q=%25.example.com&output=json",
		 "https://crt.sh/?..."},
		{"http://user:pass@127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"},
		{"https://example.com", "https://example.com"},
		{"no url here", "(not a URL)"},
	};
	char out[256], small[12];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ctm_http_redact_url(cases[i][0], out, sizeof out);
		assert_string_equal(out, cases[i][1]);
	}
	ctm_http_redact_url(cases[0][0], small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
}

/* Retries log the URL: never its secret path or query. */
static void test_retry_log_redacted(void **state)
{
	char path[512];
	struct ctmon_http_req *r;
	char *err;

	(void)state;
	snprintf(path, sizeof path, "/status/500%s?%s", SECRET_PATH,
		 SECRET_QUERY);
	r = req("POST", 0, path);
	assert_int_equal(ctm_http_set_body(r, "{}", 2), CTMON_OK);
	assert_int_equal(ctm_http_set_retry(r, 3, 1, 5), CTMON_OK);
	assert_int_equal(test_stderr_begin(), 0);
	assert_int_equal(ctm_http_perform(r), CTMON_OK);
	err = test_stderr_end();
	assert_non_null(err);
	assert_int_equal(ctm_http_attempts(r), 3);
	assert_non_null(strstr(err, "retrying"));
	assert_non_null(strstr(err, "/status/500/services/..."));
	assert_no_secret(err);
	free(err);
	ctm_http_free(r);

	/* And a failed connection's error text. */
	{
		int fd = -1, port = test_refusing_port(&fd);
		char url[512];

		snprintf(url, sizeof url, "http://127.0.0.1:%d%s?%s", port,
			 SECRET_PATH, SECRET_QUERY);
		r = ctm_http_new("[test:http]", "POST", url);
		assert_non_null(r);
		assert_int_equal(ctm_http_set_retry(r, 2, 1, 5), CTMON_OK);
		assert_int_equal(test_stderr_begin(), 0);
		assert_int_equal(ctm_http_perform(r), CTMON_EIO);
		err = test_stderr_end();
		assert_non_null(err);
		assert_no_secret(err);
		assert_no_secret(ctm_http_error(r));
		free(err);
		ctm_http_free(r);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_by_default),
		cmocka_unit_test(test_refused_location_is_redacted),
		cmocka_unit_test(test_followed_when_asked),
		cmocka_unit_test(test_too_many_redirects),
		cmocka_unit_test(test_redirect_to_other_scheme_refused),
		cmocka_unit_test(test_post_307_to_other_port_not_followed),
		cmocka_unit_test(test_post_302_is_not_a_success),
		cmocka_unit_test(test_https_to_http_refused),
		cmocka_unit_test(test_headers_not_sent_to_other_origin),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test(test_retry_log_redacted),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
