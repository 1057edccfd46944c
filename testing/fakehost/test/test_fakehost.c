/* test_fakehost.c - the fake host itself, driven through three probe
 * plugins: batches and cursors, the watch set, HTTP with canned responses,
 * retries, sinks and CA files, state, alert validation and uniqueness
 * (checks' and sources'), monitored domains, DNS results, what a notifier
 * reports during deliver(), and load errors. */
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
	/* The alert of the committed batch stays, the implicit one goes. */
	assert_int_equal(fh_alert_count(fh), 1);
	assert_string_equal(fh_alert(fh, 0)->key, "kept");
	assert_null(fh_find_alert(fh, "log_misbehaves", "example.com", "lost"));
	fh_free(fh);
}

static void source_alerts_follow_their_batch(void **state)
{
	struct fh_host *fh = load("probe_source", "scenario = \"alerts\";");
	const struct ctmon_alert *a;

	(void)state;
	fh_set_now(fh, 4321);
	/* The plugin ignored the refusal of issuance_id 7: the call fails. */
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_EFORMAT);
	assert_logged(fh, "alerts rc=0,0,-1,0,0");
	assert_int_equal(fh_rejected_alert_count(fh), 1);
	assert_int_equal(fh_log_contains(fh, "issuance_id 0"), 1);
	assert_int_equal(fh_duplicate_alert_count(fh), 1);
	/* The aborted batch took its alert along; the rest are kept. */
	assert_int_equal(fh_alert_count(fh), 2);
	a = fh_find_alert(fh, "log_misbehaves", "example.com", "implicit");
	assert_non_null(a);
	assert_int_equal(a->issuance_id, 0);
	assert_int_equal(a->baseline, 0);
	assert_int_equal(a->created_at, 4321);
	assert_int_equal(a->severity, CTMON_SEV_HIGH);
	assert_non_null(strstr(a->json, "\"details\":{\"log\":\"probe\"}"));
	assert_non_null(
		fh_find_alert(fh, "log_misbehaves", "example.com", "committed"));
	assert_null(fh_find_alert(fh, "log_misbehaves", "example.com",
				  "aborted"));
	assert_null(fh_find_alert(fh, "log_misbehaves", "example.com", "bad"));
	/* The same alerts again are repeats, not new alerts; an alert once
	 * aborted is still new. */
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_EFORMAT);
	assert_int_equal(fh_alert_count(fh), 2);
	assert_int_equal(fh_duplicate_alert_count(fh), 1 + 3);
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
	assert_null(fh_http_request_ca_file(fh, 0));
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

static void http_records_the_ca_file(void **state)
{
	struct fh_host *fh = load("probe_source",
				  "scenario = \"http\";\n"
				  "ca_file = \"/etc/ctmon/private-ca.pem\";");

	(void)state;
	assert_int_equal(fh_http_respond(fh, "https://ct.example/", 503, NULL,
					 "busy"),
			 CTMON_OK);
	assert_int_equal(fh_http_respond(fh, "https://ct.example/", 200, NULL,
					 "ok"),
			 CTMON_OK);
	assert_int_equal(fh_collect(fh, NULL, 0), CTMON_OK);
	assert_logged(fh, "ca_file rc=0");
	/* Every attempt carries it. */
	assert_int_equal(fh_http_request_count(fh), 2);
	assert_string_equal(fh_http_request_ca_file(fh, 0),
			    "/etc/ctmon/private-ca.pem");
	assert_string_equal(fh_http_request_ca_file(fh, 1),
			    "/etc/ctmon/private-ca.pem");
	assert_null(fh_http_request_ca_file(fh, 2));
	fh_free(fh);

	/* An empty path is refused, as ctmon does. */
	fh = load("probe_source", "scenario = \"http\";");
	{
		const struct ctmon_host_api *api = fh_api();
		struct ctmon_http_req *r =
			api->http_new(fh_handle(fh), "GET", URL);
		assert_non_null(r);
		assert_int_equal(api->http_set_ca_file(r, ""), CTMON_EINVAL);
		assert_int_equal(api->http_set_ca_file(r, NULL), CTMON_EINVAL);
		api->http_free(r);
	}
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

static void domains_are_served_normalised(void **state)
{
	struct fh_host *fh = load("probe_check", NULL);
	const struct ctmon_host_api *api = fh_api();
	const char *d = NULL;

	(void)state;
	assert_true(CTMON_HOST_HAS(api, domain_get));
	assert_int_equal(api->domain_get(fh_handle(fh), 0, &d),
			 CTMON_ENOTFOUND);
	assert_int_equal(fh_add_domain(fh, "Example.COM."), CTMON_OK);
	assert_int_equal(fh_add_domain(fh, "XN--BCHER-KVA.example"), CTMON_OK);
	/* ctmon's configuration wants A-labels, and so does the fake. */
	assert_int_equal(fh_add_domain(fh, "bücher.example"), CTMON_EINVAL);
	assert_int_equal(fh_add_domain(fh, "example.com"), CTMON_OK);
	assert_int_equal(fh_add_domain(fh, "*.example.org"), CTMON_EINVAL);
	assert_int_equal(fh_add_domain(fh, NULL), CTMON_EINVAL);
	assert_int_equal(api->domain_get(fh_handle(fh), 0, &d), CTMON_OK);
	assert_string_equal(d, "example.com");
	assert_int_equal(api->domain_get(fh_handle(fh), 1, &d), CTMON_OK);
	assert_string_equal(d, "xn--bcher-kva.example");
	/* The repeat was not added again. */
	assert_int_equal(api->domain_get(fh_handle(fh), 2, &d),
			 CTMON_ENOTFOUND);
	assert_int_equal(api->domain_get(fh_handle(fh), 0, NULL),
			 CTMON_EINVAL);
	fh_free(fh);
}

static void dns_results_are_served(void **state)
{
	static const char *const addrs[] = {"192.0.2.7", "2001:db8::7", NULL};
	static const char *const chain[] = {"shop.cdn.example.net",
					    "gone.example.net", NULL};
	struct fh_host *fh = load("probe_check", NULL);
	const struct ctmon_host_api *api = fh_api();
	struct ctmon_dns_result r;
	/* A plugin built against a struct that ended at n_addresses. */
	struct ctmon_dns_result old;

	(void)state;
	memset(&r, 0, sizeof r);
	r.size = sizeof r;
	assert_int_equal(api->dns_result(fh_handle(fh), "www.example.com", &r),
			 CTMON_ENOTFOUND);
	fh_set_now(fh, 1700000100);
	assert_int_equal(fh_set_dns_result(fh, "WWW.Example.com.", "resolved",
					   addrs, NULL),
			 CTMON_OK);
	fh_set_now(fh, 1700000200);
	assert_int_equal(fh_set_dns_result(fh, "shop.example.com",
					   "dangling_cname", NULL, chain),
			 CTMON_OK);
	assert_int_equal(fh_set_dns_result(fh, "x.example.com", "resolvd",
					   NULL, NULL),
			 CTMON_EINVAL);
	assert_int_equal(fh_set_dns_result(fh, "*.example.com", "nxdomain",
					   NULL, NULL),
			 CTMON_EINVAL);

	assert_int_equal(api->dns_result(fh_handle(fh), "www.example.com", &r),
			 CTMON_OK);
	assert_string_equal(r.status, "resolved");
	assert_int_equal(r.n_addresses, 2);
	assert_string_equal(r.addresses[0], "192.0.2.7");
	assert_string_equal(r.addresses[1], "2001:db8::7");
	assert_non_null(r.cname);
	assert_int_equal(r.n_cname, 0);
	assert_int_equal(r.resolved_at, 1700000100);

	assert_int_equal(api->dns_result(fh_handle(fh), "Shop.Example.COM", &r),
			 CTMON_OK);
	assert_string_equal(r.status, "dangling_cname");
	assert_int_equal(r.n_addresses, 0);
	assert_int_equal(r.n_cname, 2);
	assert_string_equal(r.cname[1], "gone.example.net");
	assert_int_equal(r.resolved_at, 1700000200);

	/* An older struct gets only the members it has. */
	memset(&old, 0x5a, sizeof old);
	old.size = offsetof(struct ctmon_dns_result, cname);
	assert_int_equal(api->dns_result(fh_handle(fh), "www.example.com",
					 &old),
			 CTMON_OK);
	assert_string_equal(old.status, "resolved");
	assert_int_equal(old.n_addresses, 2);
	assert_int_equal(old.n_cname, (size_t)0x5a5a5a5a5a5a5a5aull);

	/* A later result replaces the earlier one. */
	assert_int_equal(fh_set_dns_result(fh, "www.example.com", "nxdomain",
					   NULL, NULL),
			 CTMON_OK);
	assert_int_equal(api->dns_result(fh_handle(fh), "www.example.com", &r),
			 CTMON_OK);
	assert_string_equal(r.status, "nxdomain");
	assert_int_equal(r.n_addresses, 0);
	assert_int_equal(api->dns_result(fh_handle(fh), "*.example.com", &r),
			 CTMON_ENOTFOUND);
	r.size = sizeof r.size;
	assert_int_equal(api->dns_result(fh_handle(fh), "www.example.com", &r),
			 CTMON_EINVAL);
	fh_free(fh);
}

static void deliver_reports_are_recorded(void **state)
{
	const struct ctmon_alert a = {.size = sizeof a, .type = "t",
				      .domain = "example.com", .key = "k"};
	const struct ctmon_alert *batch[] = {&a, &a, &a};
	const struct ctmon_host_api *api = fh_api();
	struct fh_host *fh = load("probe_notifier",
				  "progress = 2; retry_after = 30; rc = -6;");

	(void)state;
	/* Outside deliver() both are refused. */
	assert_int_equal(api->deliver_progress(fh_handle(fh), 0),
			 CTMON_EINVAL);
	assert_int_equal(api->deliver_retry_after(fh_handle(fh), 5),
			 CTMON_EINVAL);
	assert_int_equal(fh_deliver_progress(fh), -1);
	assert_int_equal(fh_deliver_retry_after(fh), -1);

	assert_int_equal(fh_deliver(fh, batch, 3), CTMON_EAGAIN);
	assert_logged(fh, "deliver n=3 progress rc=0 retry rc=0");
	assert_int_equal(fh_deliver_progress(fh), 2);
	assert_int_equal(fh_deliver_retry_after(fh), 30);
	/* More than the batch is refused, and nothing is recorded. */
	assert_int_equal(fh_deliver(fh, batch, 1), CTMON_EAGAIN);
	assert_logged(fh, "deliver n=1 progress rc=-1 retry rc=0");
	assert_int_equal(fh_deliver_progress(fh), -1);
	assert_int_equal(fh_deliver_retry_after(fh), 30);
	assert_int_equal(api->deliver_progress(fh_handle(fh), 0),
			 CTMON_EINVAL);
	fh_free(fh);

	/* Negative seconds are refused; a plugin that reports nothing
	 * leaves -1 after each call. */
	fh = load("probe_notifier", "retry_after = -1;");
	assert_int_equal(fh_deliver(fh, batch, 2), CTMON_OK);
	assert_logged(fh, "deliver n=2 progress rc=1 retry rc=-1");
	assert_int_equal(fh_deliver_progress(fh), -1);
	assert_int_equal(fh_deliver_retry_after(fh), -1);
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
		cmocka_unit_test(source_alerts_follow_their_batch),
		cmocka_unit_test(http_records_the_ca_file),
		cmocka_unit_test(http_streams_into_a_sink),
		cmocka_unit_test(state_is_kept_per_instance),
		cmocka_unit_test(alerts_are_validated_and_unique),
		cmocka_unit_test(watch_patterns_are_normalised),
		cmocka_unit_test(domains_are_served_normalised),
		cmocka_unit_test(dns_results_are_served),
		cmocka_unit_test(deliver_reports_are_recorded),
		cmocka_unit_test(load_errors_are_explained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
