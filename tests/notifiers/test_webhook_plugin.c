/* test_webhook_plugin.c - the webhook notifier loaded from the build tree
 * into the fake host: each format's payload, escaping of hostile
 * certificate text, splitting at platform limits, format detection,
 * status codes, headers and options.  HTTP is the fake host's canned
 * responses; tests/notifiers/test_webhook.py posts to a real receiver. */
#include "fakehost.h"
#include "notif_test.h"

#define PLUGIN CTM_PLUGIN_BUILD_DIR "/webhook.so"
#define URL "https://hooks.example.test/services/T000/SECRET"

static struct fh_host *load(const char *snippet)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	assert_non_null(fh);
	if (fh_load(fh, PLUGIN, snippet, err, sizeof err) != CTMON_OK)
		fail_msg("loading webhook.so: %s", err);
	return fh;
}

static int load_fails(const char *snippet, char *err, size_t len)
{
	struct fh_host *fh = fh_new();
	int rc = fh_load(fh, PLUGIN, snippet, err, len);

	fh_free(fh);
	return rc;
}

/* Delivers n alerts as one batch. */
static int deliver(struct fh_host *fh, struct t_alert *t, size_t n)
{
	const struct ctmon_alert **list = calloc(n, sizeof *list);
	int rc;

	assert_non_null(list);
	for (size_t i = 0; i < n; i++)
		list[i] = &t[i].a;
	rc = fh_deliver(fh, list, n);
	free(list);
	return rc;
}

static void free_alerts(struct t_alert *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t_alert_free(&t[i]);
}

/* Calls fn on every string in a JSON tree. */
static void each_string(struct json_object *o, void (*fn)(const char *s))
{
	if (json_object_is_type(o, json_type_string)) {
		fn(json_object_get_string(o));
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			each_string(json_object_array_get_idx(o, i), fn);
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			each_string(v, fn);
		}
	}
}

/* Every "ctmon --ack N" in a body, counted per alert id. */
static void count_acks(const char *body, int *seen, int max)
{
	const char *p = body;

	while ((p = strstr(p, "ctmon --ack ")) != NULL) {
		long id = strtol(p + 12, NULL, 10);
		assert_true(id > 0 && id < max);
		seen[id]++;
		p += 12;
	}
}

/* ---- Slack ----------------------------------------------------------- */

static void test_descriptor(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\";");
	const struct ctmon_plugin *p = fh_plugin(fh);

	(void)unused;
	assert_string_equal(p->name, "webhook");
	assert_int_equal(p->kind, CTMON_KIND_NOTIFIER);
	fh_free(fh);
}

static void test_slack_payload(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"slack\";");
	struct t_alert t[3];
	struct json_object *o;
	const char *text;

	(void)unused;
	for (int i = 0; i < 3; i++)
		t_alert_plain(&t[i], i + 1);
	t[2].a.severity = CTMON_SEV_HIGH;
	fh_http_respond(fh, "https://hooks.example.test/", 200, "text/plain",
			"ok");
	assert_int_equal(deliver(fh, t, 3), CTMON_OK);
	assert_int_equal(fh_http_request_count(fh), 1);
	assert_string_equal(fh_http_request_method(fh, 0), "POST");
	assert_string_equal(fh_http_request_url(fh, 0), URL);
	assert_string_equal(fh_http_request_header(fh, 0, "Content-Type"),
			    "application/json");
	o = t_parse(fh_http_request_body(fh, 0));
	assert_int_equal(t_len(o, "blocks"), 4);
	assert_string_equal(t_str(o, "blocks.0.type"), "header");
	assert_string_equal(t_str(o, "blocks.0.text.text"),
			    "ctmon: 3 new certificate alerts (highest: high)");
	assert_string_equal(t_str(o, "text"),
			    "ctmon: 3 new certificate alerts (highest: high)");
	assert_false(json_object_get_boolean(t_get(o, "unfurl_links")));
	assert_string_equal(t_str(o, "blocks.1.type"), "section");
	assert_string_equal(t_str(o, "blocks.1.text.type"), "mrkdwn");
	assert_true(json_object_get_boolean(t_get(o, "blocks.1.text.verbatim")));
	text = t_str(o, "blocks.3.text.text");
	assert_non_null(strstr(text, "*HIGH*"));
	assert_non_null(strstr(text, "New subdomain in a certificate"));
	assert_non_null(strstr(text, "(`new_subdomain`)"));
	assert_non_null(strstr(text, "*Domain:* `example.com`"));
	assert_non_null(strstr(text, "*Names:* `host3.example.com`"));
	assert_non_null(strstr(text, "*Issuer:* `C=US, O=Let's Encrypt, CN=R3`"));
	assert_non_null(strstr(text, "2026-01-01T00:00:00Z to "
				     "2026-04-01T00:00:00Z"));
	assert_non_null(strstr(text, "<https://crt.sh/?id=1003|1003>, "
				     "<https://crt.sh/?id=2003|2003>"));
	assert_non_null(strstr(text, "`ctmon --ack 3`"));
	json_object_put(o);
	free_alerts(t, 3);
	fh_free(fh);
}

static void check_slack_text(const char *text)
{
	size_t ticks = 0;

	assert_true(t_valid_utf8(text));
	assert_true(t_no_controls(text));
	assert_true(t_cps(text) <= 3000);
	/* The only links are ours; no mention or link can be formed. */
	for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<'))
		assert_int_equal(strncmp(p, "<https://crt.sh/?id=", 20), 0);
	for (const char *p = strchr(text, '>'); p; p = strchr(p + 1, '>'))
		assert_true(p[-1] >= '0' && p[-1] <= '9');
	for (const char *p = strchr(text, '&'); p; p = strchr(p + 1, '&'))
		assert_true(strncmp(p, "&amp;", 5) == 0 ||
			    strncmp(p, "&lt;", 4) == 0 ||
			    strncmp(p, "&gt;", 4) == 0);
	for (const char *p = text; *p; p++)
		ticks += *p == '`';
	assert_int_equal(ticks % 2, 0);
	/* CR/LF in a name cannot start a line of its own. */
	assert_null(strstr(text, "\nBcc"));
	assert_null(strstr(text, "\nforged"));
}

static void test_slack_hostile(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"slack\";");
	struct t_alert t[1];
	struct json_object *o;
	const char *text;

	(void)unused;
	t_alert_hostile(&t[0], 1);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "ok");
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	o = t_parse(fh_http_request_body(fh, 0));
	text = t_str(o, "blocks.1.text.text");
	check_slack_text(text);
	assert_non_null(strstr(text, "&lt;script&gt;"));
	assert_non_null(strstr(text, "&lt;!channel&gt;"));
	assert_non_null(strstr(text, "evil\\x0d\\x0aBcc"));
	assert_non_null(strstr(text, "bad\xef\xbf\xbd\xef\xbf\xbd"));
	assert_non_null(strstr(text, "\\x1b[31mred \\u{202e}reversed"));
	/* The 6000-character name is cut, with a mark. */
	assert_non_null(strstr(text, "\xe2\x80\xa6"));
	json_object_put(o);
	free_alerts(t, 1);
	fh_free(fh);
}

static void test_slack_split(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"slack\";");
	struct t_alert t[120];
	int seen[121] = {0};

	(void)unused;
	for (int i = 0; i < 120; i++)
		t_alert_plain(&t[i], i + 1);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "ok");
	assert_int_equal(deliver(fh, t, 120), CTMON_OK);
	/* 50 blocks at most: a header and 49 alerts. */
	assert_int_equal(fh_http_request_count(fh), 3);
	for (size_t r = 0; r < 3; r++) {
		struct json_object *o = t_parse(fh_http_request_body(fh, r));
		assert_int_equal(t_len(o, "blocks"), r < 2 ? 50 : 23);
		count_acks(fh_http_request_body(fh, r), seen, 121);
		json_object_put(o);
	}
	for (int i = 1; i <= 120; i++)
		assert_int_equal(seen[i], 1);
	free_alerts(t, 120);
	fh_free(fh);
}

/* ---- Teams and Discord ------------------------------------------------ */

/* Markdown text: the hostile link, mention and emphasis are escaped. */
static void check_markdown(const char *s)
{
	assert_true(t_valid_utf8(s));
	assert_true(t_no_controls(s));
	assert_null(strstr(s, "[click]("));
	assert_null(strstr(s, "**x**"));
	assert_null(strstr(s, "||s||"));
	assert_null(strstr(s, "<script>"));
	assert_null(strstr(s, "\nBcc"));
	for (const char *p = strstr(s, "@everyone"); p;
	     p = strstr(p + 1, "@everyone"))
		assert_int_equal(p[-1], '\\');
}

static void test_teams_payload(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"teams\";");
	struct t_alert t[2];
	struct json_object *o;
	const char *body;

	(void)unused;
	t_alert_plain(&t[0], 1);
	t_alert_hostile(&t[1], 2);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "1");
	assert_int_equal(deliver(fh, t, 2), CTMON_OK);
	assert_int_equal(fh_http_request_count(fh), 1);
	body = fh_http_request_body(fh, 0);
	o = t_parse(body);
	assert_string_equal(t_str(o, "type"), "message");
	assert_string_equal(t_str(o, "attachments.0.contentType"),
			    "application/vnd.microsoft.card.adaptive");
	assert_string_equal(t_str(o, "attachments.0.content.type"),
			    "AdaptiveCard");
	assert_string_equal(t_str(o, "attachments.0.content.body.0.text"),
			    "ctmon: 2 new certificate alerts (highest: "
			    "critical)");
	assert_int_equal(t_len(o, "attachments.0.content.body"), 3);
	assert_string_equal(t_str(o, "attachments.0.content.body.1.type"),
			    "Container");
	assert_string_equal(
		t_str(o, "attachments.0.content.body.1.items.1.facts.1.value"),
		"example.com");
	assert_string_equal(
		t_str(o, "attachments.0.content.body.2.items.2.actions.0.url"),
		"https://crt.sh/?id=1002");
	assert_string_equal(
		t_str(o, "attachments.0.content.body.2.items.0.color"),
		"Attention");
	each_string(o, check_markdown);
	assert_non_null(strstr(body, "\\\\[click\\\\]\\\\(https\\\\:"));
	json_object_put(o);
	free_alerts(t, 2);
	fh_free(fh);
}

static void test_teams_split_by_size(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"teams\";");
	struct t_alert t[30];
	int seen[31] = {0};
	size_t n;

	(void)unused;
	for (int i = 0; i < 30; i++)
		t_alert_hostile(&t[i], i + 1);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "1");
	assert_int_equal(deliver(fh, t, 30), CTMON_OK);
	n = fh_http_request_count(fh);
	assert_true(n >= 3);
	for (size_t r = 0; r < n; r++) {
		struct json_object *o = t_parse(fh_http_request_body(fh, r));
		/* Teams refuses messages over about 28 KB. */
		assert_true(strlen(fh_http_request_body(fh, r)) < 28000);
		count_acks(fh_http_request_body(fh, r), seen, 31);
		json_object_put(o);
	}
	for (int i = 1; i <= 30; i++)
		assert_int_equal(seen[i], 1);
	free_alerts(t, 30);
	fh_free(fh);
}

/* Characters Discord counts against its 6000 per message. */
static size_t embed_chars(struct json_object *e)
{
	size_t n = t_cps(t_str(e, "title")) + t_cps(t_str(e, "footer.text"));
	struct json_object *fields = t_get(e, "fields");

	assert_true(t_cps(t_str(e, "title")) <= 256);
	assert_true(json_object_array_length(fields) <= 25);
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		struct json_object *f = json_object_array_get_idx(fields, i);
		size_t v = t_cps(t_str(f, "value"));
		assert_true(v > 0 && v <= 1024);
		n += t_cps(t_str(f, "name")) + v;
	}
	return n;
}

static void test_discord_payload_and_limits(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"discord\";");
	struct t_alert t[25];
	int seen[26] = {0};
	size_t n;

	(void)unused;
	for (int i = 0; i < 25; i++) {
		if (i % 2)
			t_alert_hostile(&t[i], i + 1);
		else
			t_alert_plain(&t[i], i + 1);
	}
	fh_http_respond(fh, "https://hooks.example.test/", 204, NULL, NULL);
	assert_int_equal(deliver(fh, t, 25), CTMON_OK);
	n = fh_http_request_count(fh);
	assert_true(n >= 3);
	for (size_t r = 0; r < n; r++) {
		struct json_object *o = t_parse(fh_http_request_body(fh, r));
		size_t embeds = t_len(o, "embeds"), chars = 0;

		assert_true(embeds >= 1 && embeds <= 10);
		assert_int_equal(t_len(o, "allowed_mentions.parse"), 0);
		for (size_t i = 0; i < embeds; i++)
			chars += embed_chars(t_get(o, "embeds")
						     ? json_object_array_get_idx(
							       t_get(o, "embeds"), i)
						     : NULL);
		assert_true(chars <= 6000);
		each_string(o, check_markdown);
		count_acks(fh_http_request_body(fh, r), seen, 26);
		json_object_put(o);
	}
	for (int i = 1; i <= 25; i++)
		assert_int_equal(seen[i], 1);
	free_alerts(t, 25);
	fh_free(fh);
}

/* ---- generic ----------------------------------------------------------- */

static void test_generic_document(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; format = \"generic\";");
	struct t_alert t[2];
	struct json_object *o;
	const char *body, *issuer;

	(void)unused;
	t_alert_plain(&t[0], 1);
	t_alert_hostile(&t[1], 2);
	fh_http_respond(fh, "https://hooks.example.test/", 202, NULL, NULL);
	assert_int_equal(deliver(fh, t, 2), CTMON_OK);
	body = fh_http_request_body(fh, 0);
	/* Safe to embed in HTML as is: no raw < > &. */
	assert_null(strpbrk(body, "<>&"));
	o = t_parse(body);
	assert_string_equal(t_str(o, "source"), "ctmon");
	assert_int_equal(json_object_get_int(t_get(o, "version")), 1);
	assert_int_equal(json_object_get_int(t_get(o, "count")), 2);
	assert_string_equal(t_str(o, "highest_severity"), "critical");
	assert_int_equal(t_len(o, "alerts"), 2);
	assert_int_equal(json_object_get_int(t_get(o, "alerts.0.id")), 1);
	assert_string_equal(t_str(o, "alerts.0.type"), "new_subdomain");
	assert_string_equal(t_str(o, "alerts.0.severity"), "medium");
	assert_string_equal(t_str(o, "alerts.0.domain"), "example.com");
	assert_string_equal(t_str(o, "alerts.0.key"), "host1.example.com");
	assert_string_equal(t_str(o, "alerts.0.details.issuance.names.0"),
			    "host1.example.com");
	assert_int_equal(json_object_get_int64(t_get(
				 o, "alerts.0.details.issuance.crtsh_ids.0")),
			 1001);
	/* JSON carries the data exactly, except bytes that are not UTF-8. */
	issuer = t_str(o, "alerts.1.details.issuance.issuer");
	assert_non_null(strstr(issuer, H_HTML));
	assert_non_null(strstr(issuer, H_CRLF));
	assert_non_null(strstr(issuer, "bad\xef\xbf\xbd\xef\xbf\xbd"));
	assert_string_equal(t_str(o, "alerts.1.key"), H_CRLF);
	json_object_put(o);
	free_alerts(t, 2);
	fh_free(fh);
}

/* ---- format detection ------------------------------------------------- */

static void detect(const char *url, const char *member)
{
	char snippet[300], prefix[300];
	struct fh_host *fh;
	struct t_alert t[1];
	struct json_object *o;

	snprintf(snippet, sizeof snippet, "url = \"%s\";", url);
	snprintf(prefix, sizeof prefix, "%s", url);
	fh = load(snippet);
	t_alert_plain(&t[0], 1);
	fh_http_respond(fh, prefix, 200, NULL, "ok");
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	o = t_parse(fh_http_request_body(fh, 0));
	if (!t_get(o, member))
		fail_msg("%s: no \"%s\" in %s", url, member,
			 fh_http_request_body(fh, 0));
	json_object_put(o);
	t_alert_free(&t[0]);
	fh_free(fh);
}

static void test_auto_format(void **unused)
{
	(void)unused;
	detect("https://hooks.slack.com/services/T0/B0/SECRET", "blocks");
	detect("https://discord.com/api/webhooks/1/SECRET", "embeds");
	detect("https://contoso.webhook.office.com/webhookb2/SECRET",
	       "attachments");
	detect("https://prod-01.westus.logic.azure.com/workflows/SECRET",
	       "attachments");
	detect("https://alerts.example.org/hook/SECRET", "alerts");
	detect("https://user@hooks.slack.com.evil.example/x", "alerts");
}

/* ---- answers ------------------------------------------------------------ */

static int deliver_one_answer(const char *snippet, long status,
			      const char *header, char *err, size_t errlen,
			      int64_t *slept, size_t *requests)
{
	struct fh_host *fh = load(snippet);
	struct t_alert t[1];
	int rc;

	t_alert_plain(&t[0], 1);
	fh_http_respond(fh, "https://hooks.example.test/", status, NULL,
			"some reason");
	if (header)
		fh_http_respond_header(fh, header);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "ok");
	rc = deliver(fh, t, 1);
	snprintf(err, errlen, "%s", fh_last_error(fh));
	/* The URL's path is a secret: never in errors or logs. */
	assert_null(strstr(err, "SECRET"));
	assert_int_equal(fh_log_contains(fh, "SECRET"), 0);
	*slept = fh_slept_ms(fh);
	*requests = fh_http_request_count(fh);
	t_alert_free(&t[0]);
	fh_free(fh);
	return rc;
}

static void test_status_codes(void **unused)
{
	const char *once = "url = \"" URL "\"; retries = 1;";
	const char *twice = "url = \"" URL "\"; retries = 2; backoff_ms = 50;";
	char err[1024];
	int64_t slept;
	size_t reqs;

	(void)unused;
	assert_int_equal(deliver_one_answer(once, 500, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_EAGAIN);
	assert_non_null(strstr(err, "HTTP 500: some reason"));
	assert_non_null(strstr(err, "https://hooks.example.test/"));
	assert_int_equal(deliver_one_answer(once, 408, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_EAGAIN);
	assert_int_equal(deliver_one_answer(once, 404, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_EPERMANENT);
	assert_non_null(strstr(err, "HTTP 404"));
	assert_int_equal(deliver_one_answer(once, 400, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_EPERMANENT);
	assert_int_equal(deliver_one_answer(once, 204, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_OK);
	/* A permanent error is not retried within the call either. */
	assert_int_equal(deliver_one_answer(twice, 403, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_EPERMANENT);
	assert_int_equal(reqs, 1);
	/* A retryable one is, after the backoff. */
	assert_int_equal(deliver_one_answer(twice, 503, NULL, err, sizeof err,
					    &slept, &reqs),
			 CTMON_OK);
	assert_int_equal(reqs, 2);
	assert_true(slept >= 25 && slept <= 50);
	/* Retry-After is honoured when short... */
	assert_int_equal(deliver_one_answer(twice, 429, "Retry-After: 3", err,
					    sizeof err, &slept, &reqs),
			 CTMON_OK);
	assert_int_equal(slept, 3000);
	/* ...and capped at max_backoff_ms (the host's one retry policy). */
	assert_int_equal(deliver_one_answer(twice, 429, "Retry-After: 600",
					    err, sizeof err, &slept, &reqs),
			 CTMON_OK);
	assert_int_equal(slept, 10000);
	assert_int_equal(reqs, 2);
}

static void test_connection_failure(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; retries = 1;");
	struct t_alert t[1];

	(void)unused;
	t_alert_plain(&t[0], 1);
	/* No canned answer: the fake host fails like a refused connection. */
	assert_int_equal(deliver(fh, t, 1), CTMON_EIO);
	assert_null(strstr(fh_last_error(fh), "SECRET"));
	t_alert_free(&t[0]);
	fh_free(fh);
}

static void test_large_answer_is_still_delivered(void **unused)
{
	struct fh_host *fh = load("url = \"" URL "\"; retries = 1;");
	struct t_alert t[1];
	char *big = malloc(300 * 1024);

	(void)unused;
	assert_non_null(big);
	memset(big, 'x', 300 * 1024 - 1);
	big[300 * 1024 - 1] = '\0';
	t_alert_plain(&t[0], 1);
	/* A chatty 200: the message arrived; its size must not matter. */
	fh_http_respond(fh, "https://hooks.example.test/", 200, "text/html",
			big);
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	free(big);
	t_alert_free(&t[0]);
	fh_free(fh);
}

/* The wait within a delivery is the host's; the plugin reads Retry-After
 * for the outbox (deliver_retry_after), HTTP-dates and fractions too. */
static int64_t outbox_wait(const char *header)
{
	struct fh_host *fh = load("url = \"" URL "\"; retries = 1;");
	struct t_alert t[1];
	int64_t secs;

	t_alert_plain(&t[0], 1);
	fh_http_respond(fh, "https://hooks.example.test/", 503, NULL, "busy");
	fh_http_respond_header(fh, header);
	assert_int_equal(deliver(fh, t, 1), CTMON_EAGAIN);
	secs = fh_deliver_retry_after(fh);
	t_alert_free(&t[0]);
	fh_free(fh);
	return secs;
}

static void test_retry_after_parsing(void **unused)
{
	(void)unused;
	/* An HTTP-date 42 s after the fake host's clock. */
	assert_int_equal(outbox_wait("Retry-After: Tue, 14 Nov 2023 22:14:02 "
				     "GMT"),
			 42);
	/* Discord's fractions round up. */
	assert_int_equal(outbox_wait("Retry-After: 1.25"), 2);
	assert_int_equal(outbox_wait("Retry-After: 7"), 7);
}

/* ---- options ------------------------------------------------------------ */

static void test_headers(void **unused)
{
	struct fh_host *fh;
	struct t_alert t[1];

	(void)unused;
	setenv("T_HOOK_TOKEN", "tok-123", 1);
	setenv("CTMON_WEBHOOK_HEADERS", "X-From-Env: one\n\nX-Env-Two: two\n",
	       1);
	fh = load("url = \"" URL "\"; headers = [ \"Authorization: Bearer "
		  "${T_HOOK_TOKEN}\", \"X-Team: sec\" ];");
	t_alert_plain(&t[0], 1);
	fh_http_respond(fh, "https://hooks.example.test/", 200, NULL, "ok");
	assert_int_equal(deliver(fh, t, 1), CTMON_OK);
	assert_string_equal(fh_http_request_header(fh, 0, "Authorization"),
			    "Bearer tok-123");
	assert_string_equal(fh_http_request_header(fh, 0, "X-Team"), "sec");
	assert_string_equal(fh_http_request_header(fh, 0, "X-From-Env"), "one");
	assert_string_equal(fh_http_request_header(fh, 0, "X-Env-Two"), "two");
	t_alert_free(&t[0]);
	fh_free(fh);
	unsetenv("CTMON_WEBHOOK_HEADERS");
	unsetenv("T_HOOK_TOKEN");
}

static void test_bad_options(void **unused)
{
	char err[1024];

	(void)unused;
	assert_int_equal(load_fails("url = \"" URL "\"; format = \"msn\";",
				    err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "msn"));
	assert_int_equal(load_fails("url = \"ftp://x/SECRET\";", err,
				    sizeof err),
			 CTMON_ECONFIG);
	assert_null(strstr(err, "SECRET"));
	assert_int_equal(load_fails("url = \"" URL "\"; headers = "
				    "[ \"X-A: ${T_NOT_SET_ANYWHERE}\" ];",
				    err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "T_NOT_SET_ANYWHERE"));
	assert_int_equal(load_fails("url = \"" URL "\"; headers = "
				    "[ \"Bad Name: x\" ];", err, sizeof err),
			 CTMON_ECONFIG);
	setenv("T_HOOK_CRLF", "a\r\nX-Injected: 1", 1);
	assert_int_equal(load_fails("url = \"" URL "\"; headers = "
				    "[ \"X-A: ${T_HOOK_CRLF}\" ];",
				    err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "line break"));
	unsetenv("T_HOOK_CRLF");
	assert_int_equal(load_fails("url = \"" URL "\"; retries = 0;", err,
				    sizeof err),
			 CTMON_ECONFIG);
	assert_int_equal(load_fails("format = \"slack\";", err, sizeof err),
			 CTMON_ECONFIG);
	assert_non_null(strstr(err, "url"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_slack_payload),
		cmocka_unit_test(test_slack_hostile),
		cmocka_unit_test(test_slack_split),
		cmocka_unit_test(test_teams_payload),
		cmocka_unit_test(test_teams_split_by_size),
		cmocka_unit_test(test_discord_payload_and_limits),
		cmocka_unit_test(test_generic_document),
		cmocka_unit_test(test_auto_format),
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_connection_failure),
		cmocka_unit_test(test_large_answer_is_still_delivered),
		cmocka_unit_test(test_retry_after_parsing),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
