/* abi10_source.c - a source compiled against the frozen ABI 1.0 header.
 * For each watched domain it emits one certificate for "abi10.<domain>" in
 * its own batch and records a cursor; with `url` set it first fetches that
 * URL through the host's HTTP API and uses the body as the serial. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctmon/plugin.h"

struct abi10_source {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *url; /* borrowed until destroy */
};

static const struct ctmon_option abi10_source_options[] = {
	{"url", CTMON_OPT_STRING, "", 0, "fetch the serial from here"},
};

static int abi10_source_create(struct ctmon_host *host,
			       const struct ctmon_host_api *api,
			       const struct ctmon_config *config, void **state)
{
	struct abi10_source *st;

	*state = NULL;
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	if (api->cfg_string(config, "url", &st->url) != CTMON_OK) {
		free(st);
		return CTMON_ECONFIG;
	}
	*state = st;
	return CTMON_OK;
}

static void abi10_source_destroy(void *state) { free(state); }

/* The serial: the body at `url`, or a fixed one. */
static int fetch_serial(struct abi10_source *st, char *out, size_t len)
{
	const struct ctmon_host_api *api = st->api;
	struct ctmon_http_req *r;
	const char *body;
	size_t n = 0;
	int rc;

	snprintf(out, len, "abc123");
	if (!st->url[0])
		return CTMON_OK;
	r = api->http_new(st->host, "GET", st->url);
	if (!r)
		return CTMON_ENOMEM;
	rc = api->http_set_header(r, "Accept: text/plain");
	if (rc == CTMON_OK)
		rc = api->http_perform(r);
	if (rc == CTMON_OK && api->http_status(r) != 200) {
		api->set_error(st->host, "HTTP %ld", api->http_status(r));
		rc = CTMON_EIO;
	}
	if (rc == CTMON_OK) {
		body = api->http_body(r, &n);
		snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), body);
	}
	api->http_free(r);
	return rc;
}

static int abi10_source_collect(void *state, const struct ctmon_watch *w,
				struct ctmon_emitter *e)
{
	struct abi10_source *st = state;
	const struct ctmon_host_api *api = st->api;
	char serial[64], count[32];
	int64_t now = api->now(st->host);
	size_t n = api->watch_count(w);
	int rc = fetch_serial(st, serial, sizeof serial);

	for (size_t i = 0; rc == CTMON_OK && i < n; i++) {
		struct ctmon_watch_entry we;
		struct ctmon_cert c;
		char name[300], ser[80];
		const char *names[1];

		memset(&we, 0, sizeof we);
		we.size = sizeof we;
		rc = api->watch_get(w, i, &we);
		if (rc != CTMON_OK)
			break;
		snprintf(name, sizeof name, "abi10.%s", we.pattern);
		names[0] = name;
		memset(&c, 0, sizeof c);
		c.size = sizeof c;
		c.crtsh_id = 0;
		c.log_index = -1;
		c.issuer_dn = "C=XX, O=ABI Fixtures, CN=ABI 1.0 Test CA";
		c.subject_cn = name;
		c.names = names;
		c.n_names = 1;
		/* One issuance per domain: issuer + serial make it. */
		snprintf(ser, sizeof ser, "%s%02zx", serial, i);
		c.serial = ser;
		c.not_before = now - 86400;
		c.not_after = now + 90 * 86400;
		c.is_precert = 0;
		snprintf(count, sizeof count, "%zu", i + 1);
		if ((rc = api->batch_begin(e)) == CTMON_OK &&
		    (rc = api->emit_cert(e, &c)) == CTMON_OK &&
		    (rc = api->set_cursor(e, "count", count)) == CTMON_OK)
			rc = api->batch_commit(e);
	}
	return rc;
}

static const struct ctmon_source_ops abi10_source_ops = {
	sizeof(struct ctmon_source_ops), abi10_source_collect};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "abi10_source", "1.0.0",
		    "ABI 1.0 fixture: one certificate per watched domain",
		    abi10_source_options, abi10_source_create, NULL, NULL,
		    abi10_source_destroy, &abi10_source_ops)
