/* webhook.c - the webhook notifier: posts alert batches to Slack, Teams,
 * Discord or any JSON endpoint.  A batch that exceeds the platform's
 * limits goes out as several messages; if one fails, the host is told
 * how many alerts already went out, so the outbox retries only the rest
 * and nothing is sent twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webhook.h"

static const struct ctmon_option webhook_options[] = {
	{"url", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED | CTMON_OPTF_SECRET,
	 "webhook URL, http:// or https:// (--webhook, $CTMON_WEBHOOK_URL)"},
	{"format", CTMON_OPT_STRING, "auto", 0,
	 "\"auto\" (from the URL's host), \"slack\", \"teams\", \"discord\" "
	 "or \"generic\""},
	{"headers", CTMON_OPT_STRING_LIST, "[]", CTMON_OPTF_SECRET,
	 "extra request headers \"Name: value\"; ${VAR} in a value is read "
	 "from the environment"},
	{"headers_env", CTMON_OPT_STRING, "CTMON_WEBHOOK_HEADERS", 0,
	 "environment variable holding more header lines (one per line)"},
	{"retries", CTMON_OPT_INT, "3", 0,
	 "attempts per message within one delivery (then the outbox retries "
	 "with backoff)"},
	{"backoff_ms", CTMON_OPT_INT, "1000", 0,
	 "first delay between attempts, doubled each time"},
	{"max_backoff_ms", CTMON_OPT_INT, "10000", 0,
	 "longest wait between attempts within a delivery (a Retry-After is "
	 "capped to it; the outbox then honours the full wait)"},
	{"ca_file", CTMON_OPT_STRING, NULL, 0,
	 "PEM file of CA certificates to trust instead of the system's "
	 "(verification stays on)"},
};

struct fmt_name {
	const char *name;
	enum wh_format format;
	wh_build_fn build;
};

static const struct fmt_name formats[] = {
	{"auto", WH_AUTO, NULL},
	{"slack", WH_SLACK, wh_build_slack},
	{"teams", WH_TEAMS, wh_build_teams},
	{"discord", WH_DISCORD, wh_build_discord},
	{"generic", WH_GENERIC, wh_build_generic},
};

static const char *where(const struct ctmon_host_api *api,
			 const struct ctmon_config *c, const char *key)
{
	const char *w = CTMON_HOST_HAS(api, cfg_where) ? api->cfg_where(c, key)
						       : NULL;
	return w ? w : "config";
}

/* *out keeps its default when the key is absent. */
static int read_int(struct wh_state *st, const struct ctmon_config *c,
		    const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;

	if (st->api->cfg_int(c, key, &v) != CTMON_OK)
		return CTMON_OK;
	if (v < lo || v > hi) {
		st->api->set_error(st->host, "%s: option \"%s\": %lld is out "
				   "of range [%lld, %lld]", where(st->api, c, key),
				   key, (long long)v, (long long)lo,
				   (long long)hi);
		return CTMON_ECONFIG;
	}
	*out = v;
	return CTMON_OK;
}

static int read_format(struct wh_state *st, const struct ctmon_config *c)
{
	const char *v = NULL;

	st->format = WH_AUTO;
	if (st->api->cfg_string(c, "format", &v) == CTMON_OK && v) {
		size_t i;
		for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
			if (strcmp(v, formats[i].name) == 0)
				break;
		if (i == sizeof formats / sizeof formats[0]) {
			st->api->set_error(st->host, "%s: option \"format\": "
					   "unknown format \"%s\" (expected "
					   "auto, slack, teams, discord or "
					   "generic)", where(st->api, c, "format"),
					   v);
			return CTMON_ECONFIG;
		}
		st->format = formats[i].format;
	}
	if (st->format == WH_AUTO)
		st->format = wh_detect_format(st->url);
	return CTMON_OK;
}

static int read_url(struct wh_state *st, const struct ctmon_config *c)
{
	const char *url = NULL;
	char host[256];

	if (st->api->cfg_string(c, "url", &url) != CTMON_OK || !url || !*url ||
	    wh_url_host(url, host, sizeof host) != 0 || strpbrk(url, " \r\n")) {
		/* Not the URL itself: it holds the token. */
		st->api->set_error(st->host, "%s: option \"url\": not an "
				   "http:// or https:// URL",
				   where(st->api, c, "url"));
		return CTMON_ECONFIG;
	}
	st->url = strdup(url);
	st->url_shown = wh_url_redact(url);
	if (!st->url || !st->url_shown)
		return CTMON_ENOMEM;
	if (strncasecmp(url, "http://", 7) == 0 && strcmp(host, "127.0.0.1") &&
	    strcmp(host, "localhost") && strcmp(host, "[::1]"))
		st->api->log(st->host, CTMON_LOG_WARN,
			     "%s is plain http: alerts and the URL's token "
			     "cross the network unencrypted", st->url_shown);
	return CTMON_OK;
}

static int read_headers(struct wh_state *st, const struct ctmon_config *c)
{
	const struct ctmon_host_api *api = st->api;
	const char *env = NULL, *line;
	char err[256] = "";
	size_t n = 0;
	int rc = CTMON_OK;

	if (api->cfg_list_len(c, "headers", &n) != CTMON_OK)
		n = 0;
	for (size_t i = 0; i < n && rc == CTMON_OK; i++)
		if (api->cfg_list_string(c, "headers", i, &line) == CTMON_OK)
			rc = wh_header_add(&st->headers, line, err, sizeof err);
	if (rc == CTMON_OK && api->cfg_string(c, "headers_env", &env) ==
				      CTMON_OK && env && *env && getenv(env)) {
		char *copy = strdup(getenv(env)), *p;

		if (!copy)
			return CTMON_ENOMEM;
		/* One header per line; empty lines are skipped. */
		for (p = copy; *p && rc == CTMON_OK;) {
			size_t len = strcspn(p, "\r\n");
			char *next = p + len + (p[len] ? 1 : 0);

			p[len] = '\0';
			if (*p)
				rc = wh_header_add(&st->headers, p, err,
						   sizeof err);
			p = next;
		}
		free(copy);
		if (rc == CTMON_ECONFIG)
			api->set_error(st->host, "$%s: %s", env, err);
		return rc;
	}
	if (rc == CTMON_ECONFIG)
		api->set_error(st->host, "%s: option \"headers\": %s",
			       where(api, c, "headers"), err);
	return rc;
}

static void webhook_destroy(void *state)
{
	struct wh_state *st = state;

	if (!st)
		return;
	free(st->url);
	free(st->url_shown);
	wh_headers_free(st->headers);
	free(st);
}

static int webhook_create(struct ctmon_host *host,
			  const struct ctmon_host_api *api,
			  const struct ctmon_config *config, void **state)
{
	struct wh_state *st = calloc(1, sizeof *st);
	int64_t v;
	int rc;

	*state = NULL;
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->backoff_ms = 1000;
	st->max_backoff_ms = 10000;
	rc = read_url(st, config);
	if (rc == CTMON_OK)
		rc = read_format(st, config);
	if (rc == CTMON_OK)
		rc = read_headers(st, config);
	v = 3;
	if (rc == CTMON_OK)
		rc = read_int(st, config, "retries", 1, 10, &v);
	st->attempts = (int)v;
	if (rc == CTMON_OK)
		rc = read_int(st, config, "backoff_ms", 0, 600000,
			      &st->backoff_ms);
	if (rc == CTMON_OK)
		rc = read_int(st, config, "max_backoff_ms", 0, 3600000,
			      &st->max_backoff_ms);
	if (rc == CTMON_OK &&
	    api->cfg_string(config, "ca_file", &st->ca_file) != CTMON_OK)
		st->ca_file = NULL;
	if (rc == CTMON_OK && st->ca_file && !CTMON_HOST_HAS(api, http_set_ca_file)) {
		api->set_error(host, "%s: option \"ca_file\": this ctmon "
			       "cannot set a CA file (needs plugin ABI 1.1)",
			       where(api, config, "ca_file"));
		rc = CTMON_ECONFIG;
	}
	if (rc != CTMON_OK) {
		webhook_destroy(st);
		return rc;
	}
	*state = st;
	return CTMON_OK;
}

static wh_build_fn builder(enum wh_format f)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].format == f && formats[i].build)
			return formats[i].build;
	return wh_build_generic;
}

static int webhook_deliver(void *state, const struct ctmon_alert *const *a,
			   size_t n)
{
	struct wh_state *st = state;
	const struct ctmon_host_api *api = st->api;
	wh_build_fn build = builder(st->format);
	struct nbuf body = {0};
	int64_t retry_after = -1;
	size_t sent = 0;
	int rc = CTMON_OK;

	while (sent < n) {
		char idem[WH_IDEM_KEY_MAX];
		size_t used = 0;

		nb_reset(&body);
		rc = build(a + sent, n - sent, &used, &body);
		if (rc != CTMON_OK || used == 0) {
			api->set_error(st->host, "out of memory building the "
				       "message");
			rc = CTMON_ENOMEM;
			break;
		}
		wh_idempotency_key(a + sent, used, idem, sizeof idem);
		rc = wh_post(st, &body, idem, &retry_after);
		if (rc != CTMON_OK)
			break;
		sent += used;
	}
	if (rc != CTMON_OK && sent > 0) {
		/* Earlier messages of this batch arrived: they must not be
		 * sent again with the rest. */
		if (CTMON_HOST_HAS(api, deliver_progress))
			api->deliver_progress(st->host, sent);
		else
			api->log(st->host, CTMON_LOG_WARN,
				 "%zu alert(s) were sent but this ctmon cannot "
				 "record partial delivery: they will be sent "
				 "again", sent);
	}
	if (rc != CTMON_OK && retry_after >= 0 &&
	    CTMON_HOST_HAS(api, deliver_retry_after))
		api->deliver_retry_after(st->host, retry_after);
	nb_free(&body);
	return rc;
}

static const struct ctmon_notifier_ops webhook_ops = {
	sizeof(struct ctmon_notifier_ops),
	webhook_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "webhook", "1.0.0",
		    "Post alerts to Slack, Teams, Discord or any JSON webhook",
		    webhook_options, webhook_create, NULL, NULL,
		    webhook_destroy, &webhook_ops)
