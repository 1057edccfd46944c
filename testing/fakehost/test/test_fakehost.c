/* test_fakehost.c - the fake host itself, driven through two probe plugins:
 * batches and cursors, the watch set, HTTP with canned responses, retries
 * and sinks, state, alert validation and uniqueness, and load errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fakehost.h"

#define URL "https://ct.example/get?q=1"

static struct fh_host *load(const char *probe, const char *snippet)
{
	struct fh_host *fh = fh_new();
	char path[512], err[1024] = "";

	assert_non_null(fh);
	snprintf(path, sizeof path, "%s/%s.so", FH_PROBE_DIR, probe);
	if (fh_load(fh, path, snippet, err, sizeof err) != CTMON_OK)
		fail_msg("load %s: %s", probe, err);
	return fh;
}

/* 1 if some captured log line equals `line`. */
static int logged(const struct fh_host *fh, const char *line)
{
	for (size_t i = 0; i < fh_log_count(fh); i++)
		if (strcmp(fh_log_line(fh, i), line) == 0)
			return 1;
	return 0;
}

#define assert_logged(fh, line)                                              \
	do {                                                                 \
		if (!logged((fh), (line)))                                   \
			fail_msg("not logged: %s", (line));                  \
	} while (0)

static void batches_cursors_and_watch(void **state)
{
	static const char *const domains[] = {"example.com",
					      "bank.example.com"};
	struct fh_host *fh = load("probe_source", "scenario = \"batches\";");

	(void)state;
	assert_int_equal(fh_collect(fh, domains, 2), CTMON_OK);
	assert_logged(fh, "watch n=2 first=example.com tag=domain www=1 "
			  "other=0");
	/* Inside a batch its own cursor write is visible; after an abort the
	 * committed value is back. */
	assert_logged(fh, "cursor seen=1 rc=0");
	assert_int_equal(fh_log_contains(fh, "cursor seen="), 2);
	assert_int_equal(fh_log_contains(fh, "cursor seen=1 rc=0"), 2);
	assert_logged(fh, "bad emit rc=-1");
	assert_logged(fh, "poisoned commit rc=-4");
	/* Kept: batch 1 and the implicit batch. */
	assert_int_equal(fh_cert_count(fh), 2);
	assert_int_equal(fh_cert(fh, 0)->crtsh_id, 1);
	assert_int_equal(fh_cert(fh, 1)->crtsh_id, 3);
	assert_string_equal(fh_cert(fh, 1)->names[0], "www.example.com");
	assert_int_equal(fh_cert(fh, 1)->log_index, -1);
	assert_null(fh_cert(fh, 2));
	assert_string_equal(fh_cursor(fh, "pos"), "3");
	assert_int_equal(fh_batch_commits(fh), 1);
	assert_int_equal(fh_batch_aborts(fh), 2);
	assert_int_equal(fh_warning_count(fh), 1);
	assert_string_equal(fh_warning(fh, 0), "example.com: partial results");
	fh_free(fh);
}

static void failed_collect_drops_the_implicit_batch(void **state)
{
	static const char *const domains[] = {"example.com"};
	struct fh_host *fh = load("probe_source", "scenario = \"fail\";");

	(void)state;
	assert_int_equal(fh_set_cursor(fh, "pos", "0"), CTMON_OK);
	assert_int_equal(fh_collect(fh, domains, 1), CTMON_EIO);
	assert_string_equal(fh_last_error(fh), "upstream broke");
	assert_int_equal(fh_cert_count(fh), 1);
	assert_int_equal(fh_cert(fh, 0)->crtsh_id, 6);
	assert_string_equal(fh_cursor(fh, "pos"), "0");
	fh_free(fh);
}

static void http_retries_then_succeeds(void **state)
{
	struct fh_host *fh = load("probe_source", "scenario = \"http\";\n"
						  "url = \"" URL "\";");

	(void)state;
	/* The longest matching prefix answers, not the first registered. */
	assert_int_equal(fh_http_respond(fh, "https://", 404, NULL, "no"),
			 CTMON_OK);
	assert_int_equal(fh_http_respond(fh, "https://ct.example/", 503, NULL,
					 "busy"),
			 CTMON_OK);
	assert_int_equal(fh_http_respond_header(fh, "Retry-After: 30"),
			 CTMON_OK);
	assert_int_equal(fh_http_respond(fh, "https://ct.example/", 200,
					 "application/json", "[1]"),
			 CTMON_OK);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	assert_logged(fh, "http rc=0 status=200 type=application/json body=[1] "
			  "error=");
	assert_int_equal(fh_http_request_count(fh), 2);
	assert_string_equal(fh_http_request_url(fh, 1), URL);
	assert_string_equal(fh_http_request_method(fh, 0), "GET");
	assert_string_equal(fh_http_request_header(fh, 0, "accept"),
			    "application/json");
	assert_null(fh_http_request_header(fh, 0, "Authorization"));
	assert_string_equal(fh_http_request_body(fh, 0), "");
	/* Retry-After 30 s, capped at the plugin's 1000 ms. */
	assert_int_equal(fh_slept_ms(fh), 1000);

	/* The last response for a prefix keeps being served. */
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	assert_int_equal(fh_http_request_count(fh), 3);
	assert_int_equal(fh_log_contains(fh, "status=200"), 2);
	fh_free(fh);
}

static void http_gives_up_after_its_attempts(void **state)
{
	struct fh_host *fh = load("probe_source", "scenario = \"http\";");

	(void)state;
	/* Nothing canned: like a refused connection, retried, then EIO. */
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_EIO);
	assert_int_equal(fh_http_request_count(fh), 3);
	assert_int_equal(fh_slept_ms(fh), 100 + 200);
	assert_int_equal(fh_log_contains(fh, "no canned response"), 3);
	fh_free(fh);

	/* A retryable status to the end is still a response. */
	fh = load("probe_source", "scenario = \"http\";");
	assert_int_equal(fh_http_respond(fh, "https://", 429, NULL, "slow"),
			 CTMON_OK);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	assert_int_equal(fh_http_request_count(fh), 3);
	assert_int_equal(fh_log_contains(fh, "http rc=0 status=429"), 1);

	/* A stopping host does not wait for a retry. */
	fh_set_stop(fh, 1);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_ESTOPPED);
	assert_int_equal(fh_http_request_count(fh), 4);
	fh_free(fh);
}

static void http_streams_into_a_sink(void **state)
{
	struct fh_host *fh = load("probe_source", "scenario = \"stream\";");
	char body[10001];

	(void)state;
	memset(body, 'x', 10000);
	body[10000] = '\0';
	assert_int_equal(fh_http_respond(fh, "https://ct.example/", 200,
					 "text/plain", body),
			 CTMON_OK);
	fh_http_set_chunk(fh, 4000);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	/* The first attempt's sink said EAGAIN: retried from begin(). */
	assert_int_equal(fh_http_request_count(fh), 2);
	assert_logged(fh, "sink begun=2 chunks=3 bytes=10000 ended=1");
	/* Streamed bodies are not buffered. */
	assert_logged(fh, "http rc=0 status=200 type=text/plain body= error=");
	fh_free(fh);
}

static void state_is_kept_per_instance(void **state)
{
	struct fh_host *fh = load("probe_source", "scenario = \"state\";");

	(void)state;
	assert_int_equal(fh_state_put(fh, "seen", "no"), CTMON_OK);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	assert_logged(fh, "state before=no rc=0");
	assert_string_equal(fh_state_value(fh, "seen"), "yes");
	assert_null(fh_state_value(fh, "gone"));
	assert_int_equal(fh_slept_ms(fh), 250);
	fh_free(fh);
}

static void alerts_are_validated_and_unique(void **state)
{
	static const char *const names[] = {"www.example.com"};
	struct ctmon_cert c = {.size = sizeof c, .names = names, .n_names = 1};
	struct ctmon_issuance is = {.size = sizeof is, .id = 9,
				    .domain = "example.com", .cert = &c,
				    .names = names, .n_names = 1,
				    .baseline = 1};
	struct fh_host *fh = load("probe_check", "details = \"{\\\"a\\\": 1}\";");
	const struct ctmon_alert *a;

	(void)state;
	fh_set_now(fh, 1234);
	assert_int_equal(fh_on_issuance(fh, &is), CTMON_OK);
	assert_int_equal(fh_on_issuance(fh, &is), CTMON_OK);
	assert_int_equal(fh_alert_count(fh), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);
	a = fh_alert(fh, 0);
	assert_int_equal(a->id, 1);
	assert_int_equal(a->created_at, 1234);
	assert_int_equal(a->baseline, 1);
	assert_int_equal(a->issuance_id, 9);
	assert_string_equal(a->details_json, "{\"a\": 1}");
	assert_non_null(strstr(a->json, "\"details\":{\"a\":1}"));
	assert_non_null(strstr(a->json, "\"severity\":\"medium\""));
	assert_ptr_equal(fh_find_alert(fh, "probe", "example.com", "k"), a);
	fh_free(fh);

	/* Details that are not one JSON object fail the call, even though
	 * the plugin ignored the refusal. */
	static const char *const bad[] = {
		"details = \"[1]\";", "details = \"{\\\"a\\\": \";",
		"details = \"{} {}\";", "details = \"{'a': 1}\";",
		"key = \"\";", "severity = 9;"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fh = load("probe_check", bad[i]);
		assert_int_equal(fh_on_issuance(fh, &is), CTMON_EFORMAT);
		assert_int_equal(fh_alert_count(fh), 0);
		assert_int_equal(fh_rejected_alert_count(fh), 1);
		assert_int_equal(fh_log_contains(fh, "alert refused"), 1);
		fh_free(fh);
	}
}

static void watch_patterns_are_normalised(void **state)
{
	struct fh_host *fh = load("probe_check", NULL);

	(void)state;
	assert_int_equal(fh_watch(fh), CTMON_OK);
	assert_logged(fh, "watch ok rc=0 wild rc=-1");
	assert_int_equal(fh_watch_count(fh), 1);
	assert_string_equal(fh_watch_entry(fh, 0)->pattern, "example.org");
	assert_string_equal(fh_watch_entry(fh, 0)->domain, "example.com");
	assert_string_equal(fh_watch_entry(fh, 0)->tag, "probe_check");
	/* A check has no collect and this one no on_cycle. */
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_EUNSUPPORTED);
	assert_int_equal(fh_on_cycle(fh), CTMON_EUNSUPPORTED);
	fh_free(fh);
}

static void load_errors_are_explained(void **state)
{
	struct fh_host *fh = fh_new();
	char path[512], err[1024];

	(void)state;
	snprintf(path, sizeof path, "%s/probe_check.so", FH_PROBE_DIR);
	assert_int_equal(fh_load(fh, path, "severity = ;", err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, ":1: "));
	fh_free(fh);

	fh = fh_new();
	assert_int_equal(fh_load(fh, "/nonexistent/probe_check.so", NULL, err,
				 sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "/nonexistent/probe_check.so"));
	assert_int_equal(fh_on_issuance(fh, NULL), CTMON_EUNSUPPORTED);
	fh_free(fh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batches_cursors_and_watch),
		cmocka_unit_test(failed_collect_drops_the_implicit_batch),
		cmocka_unit_test(http_retries_then_succeeds),
		cmocka_unit_test(http_gives_up_after_its_attempts),
		cmocka_unit_test(http_streams_into_a_sink),
		cmocka_unit_test(state_is_kept_per_instance),
		cmocka_unit_test(alerts_are_validated_and_unique),
		cmocka_unit_test(watch_patterns_are_normalised),
		cmocka_unit_test(load_errors_are_explained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
